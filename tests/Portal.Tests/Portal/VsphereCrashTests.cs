using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Portal.Tests.TestInfrastructure;
using Provisioning.Core.Persistence;
using Xunit.Sdk;

namespace Portal.Tests.Portal;

/// <summary>
/// Issue 16: the portal process killed (SIGKILL) while vCenter is still cloning its VM — vcsim holds every
/// <c>CloneVM_Task</c> for a few seconds — and started again on the same data: the attempt goes on and the workspace
/// has one VM, not two, because the re-run step finds the clone by its name.
/// </summary>
public abstract class VsphereCrashTests(DatabaseProvider provider) : IAsyncLifetime
{
    private const string Password = "Portal-demo-1!";
    private static readonly TimeSpan HealthDeadline = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan ReadyDeadline = TimeSpan.FromSeconds(60);

    private readonly string _dataDirectory = TestPaths.NewDataDirectory();
    private readonly List<CrashPortalProcess> _portals = [];
    private VcsimServer _vcsim = null!;

    public async ValueTask InitializeAsync() => _vcsim = await VcsimServer.StartAsync(delays: "CloneVM_Task=3000");

    [Fact]
    public async Task SigkillMidClone_RestartOnSameData_OneVm_NotTwo()
    {
        var ct = TestContext.Current.CancellationToken;
        var environment = _vcsim.Settings().ToDictionary(s => s.Key.Replace(":", "__", StringComparison.Ordinal), s => s.Value!);
        if (provider == DatabaseProvider.Postgres)
        {
            environment["Database__Provider"] = "Postgres";
            environment["ConnectionStrings__Portal"] = await PostgresServer.CreateDatabaseAsync(ct);
        }

        var first = await StartAsync("portal-1.log", environment, ct);
        using var member = await first.LoginAsync("member@acme.test", Password, ct);
        using var created = await member.PostAsJsonAsync("/api/v1/workspaces", new Dictionary<string, object>
        {
            ["name"] = "crash-vsphere",
            ["release_id"] = "ubuntu-vm@24.04",
            ["size"] = new Dictionary<string, int> { ["cpu"] = 2, ["memory_gb"] = 2 },
        }, ct);
        created.StatusCode.ShouldBe(HttpStatusCode.Accepted, await created.Content.ReadAsStringAsync(ct));
        var id = JsonDocument.Parse(await created.Content.ReadAsStringAsync(ct)).RootElement.GetProperty("workspace_id").GetGuid();
        var vm = $"ws-{id:N}-vm";

        // The clone request is on its way to vCenter (which holds it 3 s) when the process dies.
        await first.WaitForLinesAsync(l => l.Contains($"into the VM {vm}", StringComparison.Ordinal), 1, TimeSpan.FromSeconds(30), ct);
        await first.KillAsync();

        var second = await StartAsync("portal-2.log", environment, ct);
        using var again = await second.LoginAsync("member@acme.test", Password, ct);
        var detail = await WaitForEndAsync(again, id, ct);

        detail.GetProperty("status").GetString().ShouldBe("ready", Context(detail.ToString()));
        detail.GetProperty("attempt").GetInt32().ShouldBe(1);
        var vms = await _vcsim.VmsAsync();
        vms.Where(v => v.Name == vm).ShouldHaveSingleItem(Context(string.Join(", ", vms))).PowerState.ShouldBe("poweredOn");
        // The second life found the first life's clone rather than making its own.
        second.Lines(l => l.Contains($"Reusing the VM {vm}", StringComparison.Ordinal)).ShouldNotBeEmpty(Context("The restarted step did not reuse the clone."));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var portal in _portals)
        {
            await portal.DisposeAsync();
        }

        await _vcsim.DisposeAsync();
    }

    private async Task<CrashPortalProcess> StartAsync(string log, Dictionary<string, string> environment, CancellationToken ct)
    {
        var portal = await CrashPortalProcess.StartHealthyAsync(_dataDirectory, log, environment, HealthDeadline, ct);
        _portals.Add(portal);
        return portal;
    }

    private async Task<JsonElement> WaitForEndAsync(HttpClient client, Guid id, CancellationToken ct)
    {
        var started = TimeProvider.System.GetTimestamp();
        while (true)
        {
            using var response = await client.GetAsync($"/api/v1/workspaces/{id}", ct);
            var detail = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct)).RootElement.Clone();
            if (detail.GetProperty("status").GetString() is "ready" or "error")
            {
                return detail;
            }

            if (TimeProvider.System.GetElapsedTime(started) > ReadyDeadline)
            {
                throw new XunitException(Context($"Workspace {id} did not finish within {ReadyDeadline.TotalSeconds} s of the restart: {detail}"));
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), TimeProvider.System, ct);
        }
    }

    private string Context(string message) => message + "\n" + string.Join("\n", _portals.Select(p => p.Tail(40)));
}

public sealed class VsphereCrashTestsOnSqlite() : VsphereCrashTests(DatabaseProvider.Sqlite);

public sealed class VsphereCrashTestsOnPostgres() : VsphereCrashTests(DatabaseProvider.Postgres);
