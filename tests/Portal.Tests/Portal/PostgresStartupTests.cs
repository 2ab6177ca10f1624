using Microsoft.EntityFrameworkCore;
using Npgsql;
using Portal.Tests.TestInfrastructure;
using Provisioning.Core.Persistence;

namespace Portal.Tests.Portal;

/// <summary>Nodes starting at the same moment on one empty PostgreSQL database make one schema and one copy of the seed data.</summary>
public sealed class PostgresStartupTests : IAsyncDisposable
{
    private const int Nodes = 3;
    private readonly List<CrashPortalProcess> _portals = [];

    [Fact]
    public async Task NodesStartingTogether_OnAnEmptyDatabase_AllBecomeHealthy_WithOneSchemaAndOneSeed()
    {
        var ct = TestContext.Current.CancellationToken;
        var database = await PostgresServer.CreateDatabaseAsync(ct);
        var environment = new Dictionary<string, string> { ["Database__Provider"] = "Postgres", ["ConnectionStrings__Portal"] = database };

        var starting = Enumerable.Range(1, Nodes)
            .Select(n => CrashPortalProcess.StartHealthyAsync(TestPaths.NewDataDirectory(), $"node-{n}.log", environment, TimeSpan.FromSeconds(90), ct))
            .ToList();
        _portals.AddRange(await Task.WhenAll(starting));

        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync(ct);
        using (var model = new PostgresDesignTimeFactory().CreateDbContext([]))
        {
            (await CountAsync(connection, "\"__EFMigrationsHistory\"", ct)).ShouldBe(model.Database.GetMigrations().Count());
        }

        (await CountAsync(connection, "tenants", ct)).ShouldBe(2);
        (await CountAsync(connection, "releases", ct)).ShouldBe(5);
        (await CountAsync(connection, "\"AspNetUsers\"", ct)).ShouldBe(4);
        (await CountAsync(connection, "sim_capacity", ct)).ShouldBe(1);
        foreach (var portal in _portals)
        {
            using var login = await portal.LoginAsync("member@acme.test", PortalApiClient.Password, ct);
            // A first start is not an error: nothing is logged at error level or above (EF Core's history read, for one).
            portal.Lines(l => l.StartsWith("fail:", StringComparison.Ordinal) || l.StartsWith("crit:", StringComparison.Ordinal)).ShouldBeEmpty();
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var portal in _portals)
        {
            await portal.DisposeAsync();
        }
    }

    private static async Task<long> CountAsync(NpgsqlConnection connection, string table, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand($"SELECT count(*) FROM {table}", connection);
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }
}
