using System.Net;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Portal.Cluster;

/// <summary>Two portal nodes, real processes with data directories of their own, on one PostgreSQL database.</summary>
public sealed class TwoNodeTests : IAsyncDisposable
{
    private readonly List<CrashPortalProcess> _nodes = [];

    [Fact]
    public async Task ATokenIssuedByOneNode_IsAcceptedByTheOther()
    {
        var ct = TestContext.Current.CancellationToken;
        var (a, b) = await StartTwoNodesAsync(ct);

        using var fromA = await a.LoginAsync("member@acme.test", PortalApiClient.Password, ct);
        using var onB = new HttpClient { BaseAddress = b.BaseAddress };
        onB.DefaultRequestHeaders.Authorization = fromA.DefaultRequestHeaders.Authorization;

        using var response = await onB.GetAsync("/api/v1/workspaces", ct);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync(ct));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }
    }

    private async Task<(CrashPortalProcess A, CrashPortalProcess B)> StartTwoNodesAsync(CancellationToken ct)
    {
        var environment = new Dictionary<string, string>
        {
            ["Database__Provider"] = "Postgres",
            ["ConnectionStrings__Portal"] = await PostgresServer.CreateDatabaseAsync(ct),
        };
        foreach (var name in new[] { "node-a", "node-b" })
        {
            _nodes.Add(await CrashPortalProcess.StartHealthyAsync(TestPaths.NewDataDirectory(), $"{name}.log", environment, TimeSpan.FromSeconds(90), ct));
        }

        return (_nodes[0], _nodes[1]);
    }
}
