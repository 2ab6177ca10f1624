using System.Collections.Concurrent;
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
/// an inventory, readiness delays and fault injection. Every create is idempotent by name.
/// </summary>
/// <remarks>
/// Like a real management server, it answers from the inventory it holds in memory: live resources and the
/// capacity. Every change is written through to the database first and shown in memory only once committed,
/// so the state survives restarts (it is loaded again on first use) and orphans can be counted. Changes are
/// made one at a time, which is what keeps two creates from booking the same capacity. This is only right
/// while one process owns the simulator, as the embedded default does.
/// </remarks>
public sealed class SimulatedInfrastructure(
    IDbContextFactory<ProvisioningDbContext> dbFactory,
    IOptions<SimulatorOptions> options,
    TimeProvider time) : IFaultInjector
{
    private readonly SemaphoreSlim _changes = new(1, 1);
    private readonly ConcurrentDictionary<string, SimulatedResource> _live = new(StringComparer.Ordinal);
    private volatile SimulatedCapacity? _capacity;

    // Most runs have no faults at all; this spares them a query per step.
    private volatile int _faultCount = -1;

    public Task<SimulatedResource> CreateAsync(
        Guid workspaceId, string name, string kind, int cpu, int memoryGb, CancellationToken cancellationToken) =>
        ChangeAsync(async (db, capacity) =>
        {
            if (_live.TryGetValue(name, out var existing))
            {
                return existing;
            }

            if (cpu > 0 || memoryGb > 0)
            {
                var free = Report(capacity);
                if (cpu > free.FreeCpu || memoryGb > free.FreeMemoryGb)
                {
                    throw new ProvisioningException(ErrorCatalogue.InsufficientResources,
                        $"InsufficientResourcesFault: {kind} '{name}' needs {cpu} CPU / {memoryGb} GB; free are {free.FreeCpu} CPU / {free.FreeMemoryGb} GB of {free.Cpu} / {free.MemoryGb}.");
                }

                capacity = Attach(db, capacity);
                capacity.Use(cpu, memoryGb);
            }

            var resource = new SimulatedResource(name, kind, workspaceId, cpu, memoryGb, time.GetUtcNow());
            db.SimulatedResources.Add(resource);
            await db.SaveChangesAsync(cancellationToken);
            _live[name] = resource;
            _capacity = capacity;
            return resource;
        }, cancellationToken);

    public async Task<SimulatedResource?> FindAsync(string name, CancellationToken cancellationToken)
    {
        await EnsureLoadedAsync(cancellationToken);
        return _live.GetValueOrDefault(name);
    }

    /// <summary>Starts a VM or runtime; it becomes ready after the readiness delay, or never.</summary>
    public Task<SimulatedResource> PowerOnAsync(string name, bool becomesReady, CancellationToken cancellationToken) =>
        ChangeResourceAsync(name, r => r.PowerOn(becomesReady ? time.GetUtcNow() + options.Value.ReadinessDelay : null),
            () => new ProvisioningException(ErrorCatalogue.VmConfigInvalid, $"Cannot power on '{name}': it does not exist."), cancellationToken);

    public Task HoldSecretAsync(string name, string protectedSecret, CancellationToken cancellationToken) =>
        ChangeResourceAsync(name, r => r.HoldSecret(protectedSecret),
            () => new InvalidOperationException($"The simulator has no resource '{name}' to hold a secret."), cancellationToken);

    /// <summary>Deletes by name; deleting what is already gone succeeds.</summary>
    public async Task DeleteAsync(string name, CancellationToken cancellationToken)
    {
        await ChangeAsync(async (db, capacity) =>
        {
            if (!_live.TryGetValue(name, out var live))
            {
                return false;
            }

            var resource = Attach(db, live);
            resource.Delete(time.GetUtcNow());
            if (resource.Cpu > 0 || resource.MemoryGb > 0)
            {
                capacity = Attach(db, capacity);
                capacity.Use(-resource.Cpu, -resource.MemoryGb);
            }

            await db.SaveChangesAsync(cancellationToken);
            _live.TryRemove(name, out _);
            _capacity = capacity;
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
        await EnsureLoadedAsync(cancellationToken);
        return Report(_capacity!);
    }

    public Task<CapacityReport> SetCapacityAsync(int cpu, int memoryGb, CancellationToken cancellationToken) =>
        ChangeAsync(async (db, current) =>
        {
            var capacity = Attach(db, current);
            capacity.Cpu = cpu;
            capacity.MemoryGb = memoryGb;
            await db.SaveChangesAsync(cancellationToken);
            _capacity = capacity;
            return Report(capacity);
        }, cancellationToken);

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

    /// <summary>Loads the inventory; the first time the simulator ever runs, sets the configured capacity.</summary>
    public Task InitializeAsync(CancellationToken cancellationToken) => EnsureLoadedAsync(cancellationToken);

    private async Task EnsureLoadedAsync(CancellationToken cancellationToken)
    {
        if (_capacity is not null)
        {
            return;
        }

        await _changes.WaitAsync(cancellationToken);
        try
        {
            await LoadAsync(cancellationToken);
        }
        finally
        {
            _changes.Release();
        }
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        if (_capacity is not null)
        {
            return;
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var capacity = await db.SimulatedCapacity.AsNoTracking().SingleOrDefaultAsync(cancellationToken);
        if (capacity is null)
        {
            var configured = options.Value.Capacity;
            capacity = new SimulatedCapacity { Cpu = configured.Cpu, MemoryGb = configured.MemoryGb };
            db.SimulatedCapacity.Add(capacity);
            await db.SaveChangesAsync(cancellationToken);
        }

        foreach (var resource in await db.SimulatedResources.AsNoTracking().Where(r => r.DeletedAt == null).ToListAsync(cancellationToken))
        {
            _live[resource.Name] = resource;
        }

        _capacity = capacity;
    }

    /// <summary>One change at a time, against the committed capacity; the change shows in memory once saved.</summary>
    private async Task<T> ChangeAsync<T>(Func<ProvisioningDbContext, SimulatedCapacity, Task<T>> change, CancellationToken cancellationToken)
    {
        await _changes.WaitAsync(cancellationToken);
        try
        {
            await LoadAsync(cancellationToken);
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            return await change(db, _capacity!);
        }
        finally
        {
            _changes.Release();
        }
    }

    private Task<SimulatedResource> ChangeResourceAsync(
        string name, Action<SimulatedResource> change, Func<Exception> missing, CancellationToken cancellationToken) =>
        ChangeAsync(async (db, _) =>
        {
            var resource = Attach(db, _live.TryGetValue(name, out var live) ? live : throw missing());
            change(resource);
            await db.SaveChangesAsync(cancellationToken);
            _live[name] = resource;
            return resource;
        }, cancellationToken);

    /// <summary>A copy of what memory holds, tracked as unchanged: the save writes only what is then changed on it.</summary>
    private static SimulatedResource Attach(ProvisioningDbContext db, SimulatedResource live)
    {
        var copy = live.Copy();
        db.SimulatedResources.Attach(copy);
        return copy;
    }

    private static SimulatedCapacity Attach(ProvisioningDbContext db, SimulatedCapacity live)
    {
        var copy = live.Copy();
        db.SimulatedCapacity.Attach(copy);
        return copy;
    }

    private static CapacityReport Report(SimulatedCapacity capacity) =>
        new(capacity.Cpu, capacity.MemoryGb, capacity.UsedCpu, capacity.UsedMemoryGb);
}
