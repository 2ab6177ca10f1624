using Provisioning.Core.Simulator;

namespace Portal.Features.Platform;

public sealed record CapacityRequest(int? Cpu, int? MemoryGb);

public sealed record CapacityView(int Cpu, int MemoryGb, int UsedCpu, int UsedMemoryGb, int FreeCpu, int FreeMemoryGb)
{
    public static CapacityView From(CapacityReport report) =>
        new(report.Cpu, report.MemoryGb, report.UsedCpu, report.UsedMemoryGb, report.FreeCpu, report.FreeMemoryGb);
}

public sealed record FaultRequest(string? Step, string? Code, int? Times, double? Probability, int? LatencyMs, string? On);

public sealed record FaultView(Guid Id, string Step, string? Code, int? Remaining, double? Probability, int LatencyMs, FaultPhase On, DateTimeOffset CreatedAt)
{
    public static FaultView From(SimulatedFault f) => new(f.Id, f.Step, f.Code, f.Remaining, f.Probability, f.LatencyMs, f.On, f.CreatedAt);
}

public sealed record InventoryItem(Guid Id, string Name, string Kind, Guid WorkspaceId, int Cpu, int MemoryGb, bool PoweredOn, string State, DateTimeOffset CreatedAt, DateTimeOffset? DeletedAt)
{
    public static InventoryItem From(SimulatedResource r) =>
        new(r.Id, r.Name, r.Kind, r.WorkspaceId, r.Cpu, r.MemoryGb, r.PoweredOn, r.IsActive ? "active" : "deleted", r.CreatedAt, r.DeletedAt);
}

public sealed record CleanupResult(Guid ResourceId, string State, string? Error);
