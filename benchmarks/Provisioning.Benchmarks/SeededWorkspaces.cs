using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Provisioning.Core.Templates;
using Provisioning.Core.Persistence;
using Provisioning.Core.Steps;
using Provisioning.Core.Workspaces;

namespace Provisioning.Benchmarks;

/// <summary>
/// Ready vm workspaces of the demo tenant acme, written straight into the hosted portal's database: the data the
/// api and ui-* benchmarks read. The demo user who can see them signs in with the demo password.
/// </summary>
internal static class SeededWorkspaces
{
    public const string Tenant = "acme";
    public const string Member = "member@acme.test";
    public const string Password = "Portal-demo-1!";
    public const string Release = "ubuntu-vm@24.04";

    /// <summary>
    /// N ready vm workspaces of tenant acme, built through the domain API (so their steps, attempt and 15 events
    /// each exist as the engine would have left them), inserted <paramref name="batchSize"/> per SaveChanges.
    /// Not through <c>ProvisioningRequests</c>, which would schedule N engine runs during the measurement.
    /// </summary>
    public static async Task<List<Guid>> SeedReadyAsync(IServiceProvider services, int count, int batchSize, CancellationToken cancellationToken)
    {
        var dbFactory = services.GetRequiredService<IDbContextFactory<ProvisioningDbContext>>();
        var ids = new List<Guid>(count);
        var stepTime = TimeSpan.FromMilliseconds(150);
        for (var start = 0; start < count; start += batchSize)
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            for (var i = start; i < Math.Min(count, start + batchSize); i++)
            {
                var now = TimeProvider.System.GetUtcNow();
                var w = Workspace.Request(Tenant, Member, $"bench-{i:D5}", Release, new WorkspaceSize(1, 1), TemplateCatalog.BuiltInPlan("vm"), now);
                foreach (var step in TemplateCatalog.BuiltInPlan("vm"))
                {
                    w.StartStep(step, now);
                    now += stepTime;
                    w.CompleteStep(step, now);
                }

                w.CompleteAttempt(now);
                db.Workspaces.Add(w);
                ids.Add(w.Id);
            }

            await db.SaveChangesAsync(cancellationToken);
        }

        return ids;
    }

    /// <summary>One line for the report: what the database holds after seeding.</summary>
    public static async Task<string> CountRowsAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var dbFactory = services.GetRequiredService<IDbContextFactory<ProvisioningDbContext>>();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var ready = await db.Workspaces.CountAsync(w => w.TenantId == Tenant && w.Status == WorkspaceStatus.Ready, cancellationToken);
        var steps = await db.Steps.CountAsync(cancellationToken);
        var attempts = await db.Attempts.CountAsync(cancellationToken);
        var events = await db.Events.CountAsync(cancellationToken);
        return $"{ready:N0} ready workspaces of {Tenant}, {steps:N0} steps, {attempts:N0} attempts, {events:N0} events";
    }
}
