using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Provisioning.Core.Persistence;
using Provisioning.Core.Simulator;
using Provisioning.Core.Workspaces;

namespace Provisioning.Core.Scheduling;

/// <summary>Set once the database is migrated and the scheduler runs: what <c>/health</c> reports.</summary>
public sealed class ProvisioningReadiness
{
    private volatile bool _databaseReady;

    public bool DatabaseReady => _databaseReady;

    internal void MarkDatabaseReady() => _databaseReady = true;
}

/// <summary>A step of start-up that runs after migrations and before attempts resume (demo data, for one).</summary>
public interface IStartupSeeder
{
    Task SeedAsync(ProvisioningDbContext db, CancellationToken cancellationToken);
}

/// <summary>
/// Runs before the scheduler starts: applies migrations, runs the seeders, and hands every attempt (or
/// deletion) that was in flight when the process last stopped, or was killed, back to the scheduler, which
/// resumes it from its persisted step state.
/// </summary>
public sealed partial class ProvisioningStartup(
    IDbContextFactory<ProvisioningDbContext> dbFactory,
    IEnumerable<IStartupSeeder> seeders,
    SimulatedInfrastructure infrastructure,
    IAttemptQueue queue,
    ProvisioningReadiness readiness,
    ILogger<ProvisioningStartup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // Nodes starting together on PostgreSQL take turns here: one migrates and seeds, the others find it done.
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        await using (await db.LockForStartupAsync(cancellationToken))
        {
            await db.Database.MigrateAsync(cancellationToken);
            foreach (var seeder in seeders)
            {
                await seeder.SeedAsync(db, cancellationToken);
            }

            // Creates the simulator's capacity row the first time: inside the turn too.
            await infrastructure.InitializeAsync(cancellationToken);
        }
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            var active = await db.Workspaces
                .Where(w => w.Status == WorkspaceStatus.Provisioning || w.Status == WorkspaceStatus.Deprovisioning)
                .Select(w => w.Id)
                .ToListAsync(cancellationToken);
            foreach (var workspaceId in active)
            {
                await queue.EnqueueAsync(workspaceId, cancellationToken);
            }

            if (active.Count > 0)
            {
                LogResumed(active.Count);
            }
        }

        readiness.MarkDatabaseReady();
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Resuming {Count} workspaces that were being provisioned or deleted")]
    private partial void LogResumed(int count);
}
