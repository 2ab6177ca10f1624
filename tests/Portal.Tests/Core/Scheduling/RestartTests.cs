using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Portal.Tests.TestInfrastructure;
using Provisioning.Core.Persistence;
using Provisioning.Core.Simulator;
using Provisioning.Core.Workspaces;

namespace Portal.Tests.Core.Scheduling;

/// <summary>Attempts in flight survive the host going away mid-step: the real scheduler, a real SQLite file.</summary>
public abstract class RestartTests(DatabaseProvider provider)
{
    private const int Workspaces = 6;

    [Fact]
    public async Task AttemptsInFlight_WhenTheHostStopsMidStep_AllBecomeReadyAfterANewHostStarts()
    {
        var dataDirectory = TestPaths.NewDataDirectory();
        var ct = TestContext.Current.CancellationToken;
        var database = provider == DatabaseProvider.Postgres ? await PostgresServer.CreateDatabaseAsync(ct) : null;
        List<Guid> ids;

        using (var first = Build(dataDirectory, database))
        {
            await first.StartAsync(ct);
            var simulator = first.Services.GetRequiredService<SimulatedInfrastructure>();
            // power_on hangs for an hour: the host goes away while every attempt is inside it.
            await simulator.AddFaultAsync(new SimulatedFault { Step = "power_on", LatencyMs = 3_600_000, On = FaultPhase.Execute, CreatedAt = TimeProvider.System.GetUtcNow() }, ct);
            var requests = first.Services.GetRequiredService<ProvisioningRequests>();
            ids = [];
            for (var i = 0; i < Workspaces; i++)
            {
                ids.Add((await requests.CreateAsync(new CreateWorkspace("acme", "member@acme.test", $"restart-{i}", "ubuntu-vm@24.04", new WorkspaceSize(1, 1)), ct)).Workspace!.Id);
            }

            await WaitUntilAsync(first, async db => await db.Steps.CountAsync(s => s.Name == "power_on" && s.Status == StepStatus.Running, ct) == Workspaces);
            await first.StopAsync(ct);
        }

        using (var second = Build(dataDirectory, database))
        {
            // The hang is gone before the new host starts.
            await second.Services.GetRequiredService<SimulatedInfrastructure>().ClearFaultsAsync(ct);
            await second.StartAsync(ct);

            await WaitUntilAsync(second, async db => await db.Workspaces.CountAsync(w => w.Status == WorkspaceStatus.Ready, ct) == Workspaces);

            var inventory = await second.Services.GetRequiredService<SimulatedInfrastructure>().InventoryAsync(ct);
            foreach (var id in ids)
            {
                inventory.Count(r => r.WorkspaceId == id && r.Kind == "vm" && r.IsActive).ShouldBe(1);
            }

            await using var db = await Factory(second).CreateDbContextAsync(ct);
            var starts = await db.Events.Where(e => e.Type == WorkspaceEventTypes.StepStarted).Select(e => e.Payload).ToListAsync(ct);
            // Steps that had succeeded never ran again; the one that was running ran twice.
            starts.Count(p => p.Contains("\"clone_vm\"", StringComparison.Ordinal)).ShouldBe(Workspaces);
            starts.Count(p => p.Contains("\"power_on\"", StringComparison.Ordinal)).ShouldBe(2 * Workspaces);
            (await db.Attempts.CountAsync(ct)).ShouldBe(Workspaces);
            await second.StopAsync(ct);
        }
    }

    private IHost Build(string dataDirectory, string? database) => ProvisioningHost.Build(dataDirectory, provider, database);

    private static IDbContextFactory<ProvisioningDbContext> Factory(IHost host) =>
        host.Services.GetRequiredService<IDbContextFactory<ProvisioningDbContext>>();

    private static async Task WaitUntilAsync(IHost host, Func<ProvisioningDbContext, Task<bool>> condition)
    {
        var deadline = TimeProvider.System.GetUtcNow() + TimeSpan.FromSeconds(60);
        while (true)
        {
            await using (var db = await Factory(host).CreateDbContextAsync())
            {
                if (await condition(db))
                {
                    return;
                }
            }

            if (TimeProvider.System.GetUtcNow() > deadline)
            {
                throw new TimeoutException("The condition did not hold within 60 s.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), TestContext.Current.CancellationToken);
        }
    }
}

public sealed class RestartTestsOnSqlite() : RestartTests(DatabaseProvider.Sqlite);

public sealed class RestartTestsOnPostgres() : RestartTests(DatabaseProvider.Postgres);
