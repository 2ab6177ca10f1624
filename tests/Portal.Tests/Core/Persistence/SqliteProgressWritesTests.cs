using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Portal.Tests.TestInfrastructure;
using Provisioning.Core.Errors;
using Provisioning.Core.Persistence;
using Provisioning.Core.Workspaces;

namespace Portal.Tests.Core.Persistence;

public sealed class SqliteProgressWritesTests
{
    private const string VmRelease = "ubuntu-vm@24.04";

    [Fact]
    public async Task StepBoundaries_AreWrittenByTheProgressPath_InTheOrderTheyHappened_AndPublishedWithTheirSequences()
    {
        await using var harness = await ProvisioningHarness.StartAsync();
        var writes = harness.Services.GetRequiredService<SqliteProgressWrites>();
        var published = new ConcurrentQueue<WorkspaceChanged>();
        using var subscription = harness.Services.GetRequiredService<IWorkspaceUpdates>().Subscribe(null, published.Enqueue);
        var workspace = await harness.CreateAsync(VmRelease);
        var savesBefore = writes.Saves;

        await harness.RunAsync(workspace.Id);

        var loaded = await harness.LoadAsync(workspace.Id);
        loaded.Status.ShouldBe(WorkspaceStatus.Ready);
        loaded.Steps.ShouldAllBe(s => s.Status == StepStatus.Success && s.StartedAt <= s.CompletedAt);
        // Six step boundaries and the end of the attempt, plus the simulator's writes.
        (writes.Saves - savesBefore).ShouldBeGreaterThanOrEqualTo(7);

        var events = await harness.EventsAsync(workspace.Id);
        var expected = new List<string>();
        foreach (var step in loaded.Steps.OrderBy(s => s.Order))
        {
            expected.Add($"{WorkspaceEventTypes.StepStarted}:{step.Name}");
            expected.Add($"{WorkspaceEventTypes.StepSucceeded}:{step.Name}");
        }

        expected.Add(WorkspaceEventTypes.Succeeded);
        events.SkipWhile(e => e.Type != WorkspaceEventTypes.StepStarted)
            .Select(e => e.Type.StartsWith("step.", StringComparison.Ordinal) ? $"{e.Type}:{StepOf(e)}" : e.Type)
            .ShouldBe(expected);
        published.Where(c => c.WorkspaceId == workspace.Id).Select(c => (c.Sequence, c.Type))
            .ShouldBe(events.Select(e => (e.Sequence, e.Type)), "every committed event is published once, with the sequence it was stored under");
    }

    [Fact]
    public async Task RowsWrittenByTheProgressPath_AreStoredExactlyAsEfCoreStoresThem()
    {
        await using var harness = await ProvisioningHarness.StartAsync();
        var ready = await harness.CreateAsync(VmRelease);
        await harness.RunAsync(ready.Id);
        // A failure notifies people, so that save (and the ones creating workspaces) is EF Core's: the tables hold rows of both.
        await harness.AddFaultAsync("power_on", ErrorCatalogue.VmConfigInvalid);
        var failed = await harness.CreateAsync(VmRelease);
        await harness.RunAsync(failed.Id);
        (await harness.LoadAsync(failed.Id)).Status.ShouldBe(WorkspaceStatus.Error);

        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path.Combine(harness.DataDirectory, "portal.db"), Mode = SqliteOpenMode.ReadOnly }.ToString());
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        foreach (var table in new[] { "workspaces", "provisioning_attempts", "provisioning_steps", "workspace_events", "resources", "sim_resources" })
        {
            foreach (var column in Columns(connection, table))
            {
                Scalar(connection, $"SELECT COUNT(DISTINCT typeof(\"{column}\")) FROM \"{table}\" WHERE \"{column}\" IS NOT NULL")
                    .ShouldBeLessThanOrEqualTo(1, $"{table}.{column} holds values of more than one storage class");
                if (column.EndsWith("Id", StringComparison.Ordinal))
                {
                    Scalar(connection, $"SELECT COUNT(DISTINCT \"{column}\" = upper(\"{column}\")) FROM \"{table}\" WHERE \"{column}\" IS NOT NULL")
                        .ShouldBeLessThanOrEqualTo(1, $"{table}.{column} holds identifiers in more than one letter case");
                }
            }
        }

        Scalar(connection, "SELECT COUNT(*) FROM workspace_events WHERE Type LIKE 'step.%'").ShouldBeGreaterThan(0);
    }

    private static string? StepOf(WorkspaceEvent e) =>
        System.Text.Json.JsonDocument.Parse(e.Payload).RootElement.TryGetProperty("step", out var step) ? step.GetString() : null;

    private static List<string> Columns(SqliteConnection connection, string table)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT name FROM pragma_table_info('{table}')";
        using var reader = command.ExecuteReader();
        var columns = new List<string>();
        while (reader.Read())
        {
            columns.Add(reader.GetString(0));
        }

        columns.ShouldNotBeEmpty();
        return columns;
    }

    private static long Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)command.ExecuteScalar()!;
    }
}
