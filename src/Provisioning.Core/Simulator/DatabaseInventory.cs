using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Provisioning.Core.Persistence;

namespace Provisioning.Core.Simulator;

/// <summary>
/// The inventory shared by every portal node on one PostgreSQL database: the database is the only place it is kept.
/// Capacity is booked by one conditional UPDATE (two nodes can never book the same CPU), a create is made once per
/// name by the unique index on live names (the loser of a race gets the winner's resource), and a delete frees its
/// capacity only if it is the one that marked the resource deleted.
/// </summary>
internal sealed class DatabaseInventory(
    IDbContextFactory<ProvisioningDbContext> dbFactory,
    IOptions<SimulatorOptions> options,
    TimeProvider time) : ISimulatorInventory
{
    public bool OwnedByThisProcess => false;

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await SimulatedInfrastructure.EnsureCapacityAsync(db, options.Value, cancellationToken);
    }

    public async Task<SimulatedResource> CreateAsync(
        Guid workspaceId, string name, string kind, int cpu, int memoryGb, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (await LiveAsync(db, name, cancellationToken) is { } existing)
        {
            return existing;
        }

        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            if (cpu > 0 || memoryGb > 0)
            {
                // Waits for any other booking of the row, then checks what is free after it.
                var booked = await db.SimulatedCapacity
                    .Where(c => c.Cpu - c.UsedCpu >= cpu && c.MemoryGb - c.UsedMemoryGb >= memoryGb)
                    .ExecuteUpdateAsync(set => set
                        .SetProperty(c => c.UsedCpu, c => c.UsedCpu + cpu)
                        .SetProperty(c => c.UsedMemoryGb, c => c.UsedMemoryGb + memoryGb), cancellationToken);
                if (booked == 0)
                {
                    await transaction.RollbackAsync(cancellationToken);
                    // Full, perhaps because another node has just created this very resource: then it is there.
                    return await FindAsync(name, cancellationToken)
                        ?? throw SimulatedInfrastructure.Insufficient(kind, name, cpu, memoryGb, await CapacityAsync(cancellationToken));
                }
            }

            var resource = new SimulatedResource(name, kind, workspaceId, cpu, memoryGb, time.GetUtcNow());
            db.SimulatedResources.Add(resource);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                return resource;
            }
            catch (DbUpdateException e) when (db.IsUniqueViolation(e))
            {
                // Another node created it meanwhile: its booking stands, this one is rolled back.
                await transaction.RollbackAsync(cancellationToken);
            }
        }

        await using var again = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await LiveAsync(again, name, cancellationToken)
            ?? throw new InvalidOperationException($"'{name}' was created by another node and is already gone.");
    }

    public async Task<SimulatedResource?> FindAsync(string name, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await LiveAsync(db, name, cancellationToken);
    }

    public async Task<SimulatedResource> ChangeAsync(string name, Action<SimulatedResource> change, Func<Exception> missing, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var resource = await db.SimulatedResources.SingleOrDefaultAsync(r => r.Name == name && r.DeletedAt == null, cancellationToken) ?? throw missing();
        change(resource);
        await db.SaveChangesAsync(cancellationToken);
        return resource;
    }

    public async Task DeleteAsync(string name, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (await LiveAsync(db, name, cancellationToken) is not { } live)
        {
            return;
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var now = time.GetUtcNow();
        var deleted = await db.SimulatedResources
            .Where(r => r.Id == live.Id && r.DeletedAt == null)
            .ExecuteUpdateAsync(set => set.SetProperty(r => r.DeletedAt, now).SetProperty(r => r.PoweredOn, false), cancellationToken);
        // Only the delete that marked it frees what it used: two nodes deleting at once free it once.
        if (deleted == 1 && (live.Cpu > 0 || live.MemoryGb > 0))
        {
            await db.SimulatedCapacity.ExecuteUpdateAsync(set => set
                .SetProperty(c => c.UsedCpu, c => c.UsedCpu - live.Cpu)
                .SetProperty(c => c.UsedMemoryGb, c => c.UsedMemoryGb - live.MemoryGb), cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<CapacityReport> CapacityAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return SimulatedInfrastructure.Report(await db.SimulatedCapacity.AsNoTracking().SingleAsync(cancellationToken));
    }

    public async Task<CapacityReport> SetCapacityAsync(int cpu, int memoryGb, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await db.SimulatedCapacity.ExecuteUpdateAsync(set => set.SetProperty(c => c.Cpu, cpu).SetProperty(c => c.MemoryGb, memoryGb), cancellationToken);
        return SimulatedInfrastructure.Report(await db.SimulatedCapacity.AsNoTracking().SingleAsync(cancellationToken));
    }

    private static Task<SimulatedResource?> LiveAsync(ProvisioningDbContext db, string name, CancellationToken cancellationToken) =>
        db.SimulatedResources.AsNoTracking().SingleOrDefaultAsync(r => r.Name == name && r.DeletedAt == null, cancellationToken);
}
