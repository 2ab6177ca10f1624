using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Portal.Tests.TestInfrastructure;
using Provisioning.Core.Templates;
using Provisioning.Core.Persistence;
using Provisioning.Core.Steps;
using Provisioning.Core.Workspaces;

namespace Portal.Tests.Core.Workspaces;

/// <summary>
/// Node B hears, through PostgreSQL, the events node A commits; when B's listening connection is cut, what A committed
/// meanwhile reaches B's pages once B listens again (read back from the events table), not only the next event.
/// </summary>
public sealed class PostgresWorkspaceEventListenerTests : IAsyncLifetime
{
    private readonly ConcurrentDictionary<Guid, byte> _heardOnB = new();
    private string _database = "";
    private IHost? _nodeA;
    private IHost? _nodeB;

    public async ValueTask InitializeAsync()
    {
        _database = await PostgresServer.CreateDatabaseAsync(TestContext.Current.CancellationToken);
        _nodeB = ProvisioningHost.Build(TestPaths.NewDataDirectory(), DatabaseProvider.Postgres, _database);
        await _nodeB.StartAsync(TestContext.Current.CancellationToken);
        await _nodeB.Services.GetServices<IHostedService>().OfType<PostgresWorkspaceEventListener>().Single().Listening;
        _nodeB.Services.GetRequiredService<IWorkspaceUpdates>().Subscribe(null, change => _heardOnB.TryAdd(change.WorkspaceId, 0));
        // Node A only writes: its saves publish in its own process, so B can learn of them through the database alone.
        _nodeA = ProvisioningHost.Build(TestPaths.NewDataDirectory(), DatabaseProvider.Postgres, _database);
    }

    [Fact]
    public async Task EventsCommittedWhileTheListenerWasCut_ReachNodeB_OnceItListensAgain()
    {
        var heard = await RequestOnNodeAAsync("heard");
        await WaitUntilAsync(() => _heardOnB.ContainsKey(heard), "B hears A's event");

        // A commits while nothing is announced (the trigger off), then B's listening connection is cut.
        await ExecuteAsync("ALTER TABLE workspace_events DISABLE TRIGGER workspace_events_notify");
        var missed = await RequestOnNodeAAsync("missed");
        await ExecuteAsync("ALTER TABLE workspace_events ENABLE TRIGGER workspace_events_notify");
        _heardOnB.ContainsKey(missed).ShouldBeFalse();
        (await ExecuteAsync($"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '{PostgresWorkspaceEventListener.ApplicationName}' AND datname = current_database()"))
            .ShouldBe(1);

        await WaitUntilAsync(() => _heardOnB.ContainsKey(missed), "B catches up on the event it was never notified of");
        var after = await RequestOnNodeAAsync("after");
        await WaitUntilAsync(() => _heardOnB.ContainsKey(after), "B hears A's events again");
    }

    public async ValueTask DisposeAsync()
    {
        _nodeA?.Dispose();
        if (_nodeB is not null)
        {
            await _nodeB.StopAsync(CancellationToken.None);
            _nodeB.Dispose();
        }

        await PostgresServer.DropDatabaseAsync(_database);
    }

    private async Task<Guid> RequestOnNodeAAsync(string name)
    {
        await using var db = await _nodeA!.Services.GetRequiredService<IDbContextFactory<ProvisioningDbContext>>().CreateDbContextAsync();
        var workspace = Workspace.Request("acme", "member@acme.test", name, "ubuntu-vm@24.04", new WorkspaceSize(1, 1), TemplateCatalog.BuiltInPlan("vm"),
            TimeProvider.System.GetUtcNow());
        db.Workspaces.Add(workspace);
        await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        return workspace.Id;
    }

    private async Task<int> ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_database);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        return sql.StartsWith("SELECT", StringComparison.Ordinal)
            ? (await command.ExecuteScalarAsync(TestContext.Current.CancellationToken)) is true ? 1 : 0
            : await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = TimeProvider.System.GetUtcNow() + TimeSpan.FromSeconds(30);
        while (!condition())
        {
            TimeProvider.System.GetUtcNow().ShouldBeLessThan(deadline, $"Not within 30 s: {what}.");
            await Task.Delay(TimeSpan.FromMilliseconds(20), TimeProvider.System, TestContext.Current.CancellationToken);
        }
    }
}
