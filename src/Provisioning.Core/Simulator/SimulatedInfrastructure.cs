using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Provisioning.Core.Engine;
using Provisioning.Core.Errors;
using Provisioning.Core.Persistence;

namespace Provisioning.Core.Simulator;

public sealed record CapacityReport(int Cpu, int MemoryGb, int UsedCpu, int UsedMemoryGb)
{
    public int FreeCpu => Cpu - UsedCpu;

    public int FreeMemoryGb => MemoryGb - UsedMemoryGb;
}

/// <summary>
/// The embedded stand-in for a real cluster (like VCSIM in seed 003): finite capacity with real arithmetic,
/// an inventory, readiness delays and fault injection. Its state lives in the database, so orphans survive
/// restarts and can be counted. Every create is idempotent by name.
/// </summary>
public sealed class SimulatedInfrastructure(
    IDbContextFactory<ProvisioningDbContext> dbFactory,
    IOptions<SimulatorOptions> options,
    TimeProvider time) : IFaultInjector
{
    // Most runs have no faults at all; this spares them a query per step.
    private volatile int _faultCount = -1;

    public async Task<SimulatedResource> CreateAsync(
        Guid workspaceId, string name, string kind, int cpu, int memoryGb, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.InWriteTransactionAsync(async () =>
        {
            var existing = await db.SimulatedResources.SingleOrDefaultAsync(r => r.Name == name && r.DeletedAt == null, cancellationToken);
            if (existing is not null)
            {
                return existing;
            }

            if (cpu > 0 || memoryGb > 0)
            {
                var capacity = await db.SimulatedCapacity.SingleAsync(cancellationToken);
                var free = Report(capacity);
                if (cpu > free.FreeCpu || memoryGb > free.FreeMemoryGb)
                {
                    throw new ProvisioningException(ErrorCatalogue.InsufficientResources,
                        $"InsufficientResourcesFault: {kind} '{name}' needs {cpu} CPU / {memoryGb} GB; free are {free.FreeCpu} CPU / {free.FreeMemoryGb} GB of {free.Cpu} / {free.MemoryGb}.");
                }

                capacity.Use(cpu, memoryGb);
            }

            var resource = new SimulatedResource(name, kind, workspaceId, cpu, memoryGb, time.GetUtcNow());
            db.SimulatedResources.Add(resource);
            await db.SaveChangesAsync(cancellationToken);
            return resource;
        }, cancellationToken);
    }

    public async Task<SimulatedResource?> FindAsync(string name, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.SimulatedResources.AsNoTracking().SingleOrDefaultAsync(r => r.Name == name && r.DeletedAt == null, cancellationToken);
    }

    /// <summary>Starts a VM or runtime; it becomes ready after the readiness delay, or never.</summary>
    public async Task<SimulatedResource> PowerOnAsync(string name, bool becomesReady, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var resource = await db.SimulatedResources.SingleOrDefaultAsync(r => r.Name == name && r.DeletedAt == null, cancellationToken)
            ?? throw new ProvisioningException(ErrorCatalogue.VmConfigInvalid, $"Cannot power on '{name}': it does not exist.");
        resource.PowerOn(becomesReady ? time.GetUtcNow() + options.Value.ReadinessDelay : null);
        await db.SaveChangesAsync(cancellationToken);
        return resource;
    }

    public async Task HoldSecretAsync(string name, string protectedSecret, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var resource = await db.SimulatedResources.SingleAsync(r => r.Name == name && r.DeletedAt == null, cancellationToken);
        resource.HoldSecret(protectedSecret);
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>Deletes by name; deleting what is already gone succeeds.</summary>
    public async Task DeleteAsync(string name, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await db.InWriteTransactionAsync(async () =>
        {
            var resource = await db.SimulatedResources.SingleOrDefaultAsync(r => r.Name == name && r.DeletedAt == null, cancellationToken);
            if (resource is null)
            {
                return false;
            }

            resource.Delete(time.GetUtcNow());
            if (resource.Cpu > 0 || resource.MemoryGb > 0)
            {
                (await db.SimulatedCapacity.SingleAsync(cancellationToken)).Use(-resource.Cpu, -resource.MemoryGb);
            }

            await db.SaveChangesAsync(cancellationToken);
            return true;
        }, cancellationToken);
    }

    public async Task<IReadOnlyList<SimulatedResource>> InventoryAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.SimulatedResources.AsNoTracking().OrderBy(r => r.CreatedAt).ToListAsync(cancellationToken);
    }

    public async Task<CapacityReport> CapacityAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await CapacityAsync(db, cancellationToken);
    }

    public async Task<CapacityReport> SetCapacityAsync(int cpu, int memoryGb, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var capacity = await db.SimulatedCapacity.SingleAsync(cancellationToken);
        capacity.Cpu = cpu;
        capacity.MemoryGb = memoryGb;
        await db.SaveChangesAsync(cancellationToken);
        return Report(capacity);
    }

    public async Task<SimulatedFault> AddFaultAsync(SimulatedFault fault, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        db.SimulatedFaults.Add(fault);
        await db.SaveChangesAsync(cancellationToken);
        _faultCount = -1;
        return fault;
    }

    public async Task<IReadOnlyList<SimulatedFault>> FaultsAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.SimulatedFaults.AsNoTracking().OrderBy(f => f.CreatedAt).ToListAsync(cancellationToken);
    }

    public async Task ClearFaultsAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        db.SimulatedFaults.RemoveRange(await db.SimulatedFaults.ToListAsync(cancellationToken));
        await db.SaveChangesAsync(cancellationToken);
        _faultCount = -1;
    }

    /// <summary>Applies the faults registered for this step and phase: latency first, then the error.</summary>
    public async ValueTask BeforeAsync(string step, FaultPhase phase, CancellationToken cancellationToken)
    {
        if (_faultCount == 0)
        {
            return;
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (_faultCount < 0)
        {
            _faultCount = await db.SimulatedFaults.CountAsync(cancellationToken);
            if (_faultCount == 0)
            {
                return;
            }
        }

        var fault = await db.InWriteTransactionAsync(async () =>
        {
            var matching = await db.SimulatedFaults
                .Where(f => f.Step == step && f.On == phase && (f.Remaining == null || f.Remaining > 0))
                .OrderBy(f => f.CreatedAt)
                .FirstOrDefaultAsync(cancellationToken);
            if (matching is null || (matching.Probability is { } p && Random.Shared.NextDouble() >= p))
            {
                return null;
            }

            if (matching.Remaining is not null)
            {
                matching.Remaining--;
                await db.SaveChangesAsync(cancellationToken);
            }

            return matching;
        }, cancellationToken);

        if (fault is null)
        {
            return;
        }

        if (fault.LatencyMs > 0)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(fault.LatencyMs), time, cancellationToken);
        }

        if (fault.Code is not null)
        {
            throw new ProvisioningException(fault.Code, $"Simulated fault on {step} ({phase.ToString().ToLowerInvariant()}): {fault.Code}.");
        }
    }

    /// <summary>Sets the configured capacity when the simulator runs for the first time.</summary>
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (!await db.SimulatedCapacity.AnyAsync(cancellationToken))
        {
            var configured = options.Value.Capacity;
            db.SimulatedCapacity.Add(new SimulatedCapacity { Cpu = configured.Cpu, MemoryGb = configured.MemoryGb });
            await db.SaveChangesAsync(cancellationToken);
        }
    }

    private static async Task<CapacityReport> CapacityAsync(ProvisioningDbContext db, CancellationToken cancellationToken) =>
        Report(await db.SimulatedCapacity.AsNoTracking().SingleAsync(cancellationToken));

    private static CapacityReport Report(SimulatedCapacity capacity) =>
        new(capacity.Cpu, capacity.MemoryGb, capacity.UsedCpu, capacity.UsedMemoryGb);
}
