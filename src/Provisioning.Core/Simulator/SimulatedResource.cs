namespace Provisioning.Core.Simulator;

/// <summary>An item in the simulated infrastructure's inventory: a VM, deployment, volume, registration…</summary>
public sealed class SimulatedResource
{
    private SimulatedResource()
    {
    }

    internal SimulatedResource(string name, string kind, Guid workspaceId, int cpu, int memoryGb, DateTimeOffset now)
    {
        Id = Guid.CreateVersion7(now);
        Name = name;
        Kind = kind;
        WorkspaceId = workspaceId;
        Cpu = cpu;
        MemoryGb = memoryGb;
        CreatedAt = now;
    }

    public Guid Id { get; private set; }

    /// <summary>The caller's idempotency key; unique among resources not deleted.</summary>
    public string Name { get; private set; } = "";

    public string Kind { get; private set; } = "";

    public Guid WorkspaceId { get; private set; }

    public int Cpu { get; private set; }

    public int MemoryGb { get; private set; }

    public bool PoweredOn { get; private set; }

    /// <summary>When the runtime or guest tools answer; null while not started or never.</summary>
    public DateTimeOffset? ReadyAt { get; private set; }

    /// <summary>A secret the infrastructure holds (an API key), protected with Data Protection.</summary>
    public string? ProtectedSecret { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset? DeletedAt { get; private set; }

    public bool IsActive => DeletedAt is null;

    /// <summary>A copy to change: what the inventory has already handed out never changes under its reader.</summary>
    internal SimulatedResource Copy() => (SimulatedResource)MemberwiseClone();

    internal void PowerOn(DateTimeOffset? readyAt)
    {
        PoweredOn = true;
        ReadyAt ??= readyAt;
    }

    internal void HoldSecret(string protectedSecret) => ProtectedSecret = protectedSecret;

    internal void Delete(DateTimeOffset now)
    {
        DeletedAt = now;
        PoweredOn = false;
    }
}

/// <summary>
/// The simulated cluster's size and what active resources use of it. The use is kept as a running total,
/// changed in the same transaction as each create and delete, so checking capacity does not grow with the inventory.
/// </summary>
public sealed class SimulatedCapacity
{
    public int Id { get; private set; } = 1;

    public int Cpu { get; set; }

    public int MemoryGb { get; set; }

    public int UsedCpu { get; private set; }

    public int UsedMemoryGb { get; private set; }

    internal SimulatedCapacity Copy() => (SimulatedCapacity)MemberwiseClone();

    internal void Use(int cpu, int memoryGb)
    {
        UsedCpu += cpu;
        UsedMemoryGb += memoryGb;
    }
}

public enum FaultPhase
{
    Execute,
    Compensate,
}

/// <summary>An injected fault: on a step, which error (or only latency), how often, with what delay.</summary>
public sealed class SimulatedFault
{
    public Guid Id { get; init; } = Guid.NewGuid();

    public required string Step { get; init; }

    /// <summary>Catalogue code to fail with; null for latency alone.</summary>
    public string? Code { get; init; }

    /// <summary>How many more times it fires; null for every time (subject to <see cref="Probability"/>).</summary>
    public int? Remaining { get; set; }

    public double? Probability { get; init; }

    public int LatencyMs { get; init; }

    public FaultPhase On { get; init; }

    public DateTimeOffset CreatedAt { get; init; }
}
