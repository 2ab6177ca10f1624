using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Provisioning.Core.Errors;
using Provisioning.Core.Persistence;

namespace Provisioning.Core.Simulator;

/// <summary>
/// The inventory of one process (ADR-007): like a real management server, it answers from what it holds in memory —
/// live resources and the capacity. Every change is written through to the database first and shown in memory only
/// once committed, so the state survives restarts (it is loaded again on first use) and orphans can be counted.
/// Changes are made one at a time, which is what keeps two creates from booking the same capacity. Only right while
/// one process owns the simulator: the embedded default, on SQLite.
/// </summary>
internal sealed class InMemoryInventory(
    IDbContextFactory<ProvisioningDbContext> dbFactory,
    IOptions<SimulatorOptions> options,
    TimeProvider time) : ISimulatorInventory
{
    private readonly SemaphoreSlim _changes = new(1, 1);
    private readonly ConcurrentDictionary<string, SimulatedResource> _live = new(StringComparer.Ordinal);
    private volatile SimulatedCapacity? _capacity;

    public bool OwnedByThisProcess => true;

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
                var free = SimulatedInfrastructure.Report(capacity);
                if (cpu > free.FreeCpu || memoryGb > free.FreeMemoryGb)
                {
                    throw SimulatedInfrastructure.Insufficient(kind, name, cpu, memoryGb, free);
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

    public Task<SimulatedResource> ChangeAsync(string name, Action<SimulatedResource> change, Func<Exception> missing, CancellationToken cancellationToken) =>
        ChangeAsync(async (db, _) =>
        {
            var resource = Attach(db, _live.TryGetValue(name, out var live) ? live : throw missing());
            change(resource);
            await db.SaveChangesAsync(cancellationToken);
            _live[name] = resource;
            return resource;
        }, cancellationToken);

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

    public async Task<CapacityReport> CapacityAsync(CancellationToken cancellationToken)
    {
        await EnsureLoadedAsync(cancellationToken);
        return SimulatedInfrastructure.Report(_capacity!);
    }

    public Task<CapacityReport> SetCapacityAsync(int cpu, int memoryGb, CancellationToken cancellationToken) =>
        ChangeAsync(async (db, current) =>
        {
            var capacity = Attach(db, current);
            capacity.Cpu = cpu;
            capacity.MemoryGb = memoryGb;
            await db.SaveChangesAsync(cancellationToken);
            _capacity = capacity;
            return SimulatedInfrastructure.Report(capacity);
        }, cancellationToken);

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
        var capacity = await SimulatedInfrastructure.EnsureCapacityAsync(db, options.Value, cancellationToken);
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
}
