using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Portal.Tests.TestInfrastructure;
using Provisioning.Core.Persistence;
using Xunit.Sdk;

namespace Portal.Tests.Portal;

/// <summary>
/// DESIGN §4: "A crash (process killed) at any point loses nothing." The real portal process is killed
/// with SIGKILL while 20 <c>vm</c> workspaces are in flight, then started again on the same data directory:
/// every workspace reaches <c>ready</c> in its first attempt, with exactly one VM and one network adapter each.
/// </summary>
public abstract class CrashRecoveryTests(DatabaseProvider provider) : IAsyncDisposable
{
    private const string Password = "Portal-demo-1!";
    private const string Release = "ubuntu-vm@24.04";
    private const int WorkspaceCount = 20;

    /// <summary>Holds every attempt in <c>power_on</c> long enough to be killed there.</summary>
    private const int PowerOnLatencyMs = 3000;

    /// <summary>
    /// How many workspaces must be in <c>power_on</c> (their VM and network adapter already created) when the
    /// process is killed: re-running their steps must not create a second VM.
    /// </summary>
    private const int InFlightAtKill = 5;

    private static readonly string[] VmSteps =
        ["validate_request", "clone_vm", "configure_network", "power_on", "wait_for_guest_tools", "verify_services"];

    private static readonly TimeSpan HealthDeadline = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan MidFlightDeadline = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan ReadyDeadline = TimeSpan.FromSeconds(90);

    private readonly string _dataDirectory = TestPaths.NewDataDirectory();
    private readonly List<CrashPortalProcess> _portals = [];
    private readonly List<HttpClient> _clients = [];

    private readonly Dictionary<string, string> _environment = new()
    {
        ["Simulator__ReadinessDelay"] = "00:00:00.300",
    };

    [Fact]
    public async Task SigkillWhileTwentyVmsAreInFlight_RestartOnSameData_AllReady_OneVmEach_OneAttemptEach()
    {
        var ct = TestContext.Current.CancellationToken;

        // First life: hold power_on with latency alone, create 20 workspaces, kill the process mid-flight.
        var first = await StartPortalAsync("portal-1.log", ct);
        var ops = await LoginAsync(first, "ops@platform.test", ct);
        using (var fault = await ops.PostAsJsonAsync("/api/v1/platform/simulator/faults",
            new Dictionary<string, object> { ["step"] = "power_on", ["latency_ms"] = PowerOnLatencyMs, ["on"] = "execute" }, ct))
        {
            await ExpectStatusAsync(fault, HttpStatusCode.Created, "add the power_on latency fault", ct);
        }

        var member = await LoginAsync(first, "member@acme.test", ct);
        var ids = await Task.WhenAll(Enumerable.Range(1, WorkspaceCount).Select(n => CreateAsync(member, $"crash-vm-{n:D2}", ct)));
        ids.Distinct().Count().ShouldBe(WorkspaceCount);

        var atKill = await WaitUntilMidFlightAsync(member, ids, ct);
        await first.KillAsync();
        first.HasExited.ShouldBeTrue();
        Report($"Killed with SIGKILL: {atKill}");
        atKill.Provisioning.ShouldBeGreaterThanOrEqualTo(1, Context($"Killed too late: {atKill}"));
        atKill.Ready.ShouldBeLessThan(WorkspaceCount, Context($"Killed too late: {atKill}"));

        // Second life: same binary, same data directory, new port.
        var second = await StartPortalAsync("portal-2.log", ct);
        ops = await LoginAsync(second, "ops@platform.test", ct);
        using (var cleared = await ops.DeleteAsync("/api/v1/platform/simulator/faults", ct))
        {
            await ExpectStatusAsync(cleared, HttpStatusCode.NoContent, "clear the faults", ct);
        }

        member = await LoginAsync(second, "member@acme.test", ct);
        var details = await WaitUntilAllReadyAsync(member, ids, ct);

        // One attempt each, every step succeeded.
        foreach (var (id, detail) in details)
        {
            detail.GetProperty("attempt").GetInt32().ShouldBe(1, Context($"Workspace {id} needed more than one attempt: {detail}"));
            var steps = detail.GetProperty("steps").EnumerateArray().Select(s => (Name: Text(s, "name"), Status: Text(s, "status"))).ToList();
            steps.Select(s => s.Name).ShouldBe(VmSteps, Context($"Workspace {id} has other steps: {detail}"));
            steps.ShouldAllBe(s => s.Status == "success", Context($"Workspace {id} is ready with a step not succeeded: {detail}"));
        }

        // Exactly one active VM and one active network adapter per workspace, and nothing else of theirs active.
        using (var inventoryResponse = await ops.GetAsync("/api/v1/platform/simulator/inventory", ct))
        {
            var inventory = await ReadJsonAsync(inventoryResponse, HttpStatusCode.OK, "read the simulator inventory", ct);
            var active = inventory.EnumerateArray().Where(r => Text(r, "state") == "active").ToList();
            foreach (var id in ids)
            {
                var mine = active.Where(r => r.GetProperty("workspace_id").GetGuid() == id).ToList();
                var kinds = string.Join(", ", mine.Select(r => $"{Text(r, "kind")} {Text(r, "name")}"));
                mine.Count(r => Text(r, "kind") == "vm").ShouldBe(1, Context($"Workspace {id} has active: {kinds}"));
                mine.Count(r => Text(r, "kind") == "network").ShouldBe(1, Context($"Workspace {id} has active: {kinds}"));
                mine.Count.ShouldBe(2, Context($"Workspace {id} has active: {kinds}"));
                mine.Single(r => Text(r, "kind") == "vm").GetProperty("powered_on").GetBoolean().ShouldBeTrue(Context($"Workspace {id}'s VM is off"));
            }
        }

        // The timelines: a step that succeeded never ran again, and the kill interrupted running steps,
        // which ran again after the restart (a second step.started without a step.failed in between).
        var interrupted = 0;
        foreach (var id in ids)
        {
            using var eventsResponse = await member.GetAsync($"/api/v1/workspaces/{id}/events", ct);
            var events = (await ReadJsonAsync(eventsResponse, HttpStatusCode.OK, $"read the events of {id}", ct)).EnumerateArray().ToList();
            var timeline = string.Join("\n", events.Select(e => $"{Text(e, "type")} {StepOf(e)}"));
            events.Count(e => Text(e, "type") == "provisioning.attempt_started").ShouldBe(1, Context($"Workspace {id}:\n{timeline}"));
            events.Count(e => Text(e, "type") == "provisioning.succeeded").ShouldBe(1, Context($"Workspace {id}:\n{timeline}"));
            events.ShouldNotContain(e => Text(e, "type") == "step.failed" || Text(e, "type") == "provisioning.failed", Context($"Workspace {id}:\n{timeline}"));
            foreach (var step in VmSteps)
            {
                var ofStep = events.Where(e => StepOf(e) == step).Select(e => Text(e, "type")).ToList();
                ofStep.Count(t => t == "step.succeeded").ShouldBe(1, Context($"Workspace {id}, {step}:\n{timeline}"));
                ofStep.Last().ShouldBe("step.succeeded", Context($"Workspace {id}, {step} ran again after it succeeded:\n{timeline}"));
                if (ofStep.Count(t => t == "step.started") > 1)
                {
                    interrupted++;
                }
            }
        }

        Report($"Steps run again after the restart: {interrupted}");
        interrupted.ShouldBeGreaterThanOrEqualTo(1, Context("No step was interrupted by the kill, so the test proved nothing."));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }

        foreach (var portal in _portals)
        {
            await portal.DisposeAsync();
        }
    }

    private async Task<CrashPortalProcess> StartPortalAsync(string logName, CancellationToken ct)
    {
        if (provider == DatabaseProvider.Postgres && !_environment.ContainsKey("ConnectionStrings__Portal"))
        {
            _environment["Database__Provider"] = "Postgres";
            _environment["ConnectionStrings__Portal"] = await PostgresServer.CreateDatabaseAsync(ct);
        }

        var portal = await CrashPortalProcess.StartHealthyAsync(_dataDirectory, logName, _environment, HealthDeadline, ct);
        _portals.Add(portal);
        return portal;
    }

    private async Task<HttpClient> LoginAsync(CrashPortalProcess portal, string email, CancellationToken ct)
    {
        var client = await portal.LoginAsync(email, Password, ct);
        _clients.Add(client);
        return client;
    }

    private async Task<Guid> CreateAsync(HttpClient member, string name, CancellationToken ct)
    {
        using var response = await member.PostAsJsonAsync("/api/v1/workspaces",
            new Dictionary<string, object> { ["name"] = name, ["release_id"] = Release, ["size"] = new Dictionary<string, int> { ["cpu"] = 1, ["memory_gb"] = 1 } }, ct);
        var body = await ReadJsonAsync(response, HttpStatusCode.Accepted, $"create {name}", ct);
        Text(body, "status").ShouldBe("provisioning");
        return body.GetProperty("workspace_id").GetGuid();
    }

    /// <summary>Polls until several workspaces are running <c>power_on</c> (and not all are ready yet).</summary>
    private async Task<Snapshot> WaitUntilMidFlightAsync(HttpClient member, Guid[] ids, CancellationToken ct)
    {
        var started = TimeProvider.System.GetTimestamp();
        var last = new Snapshot(0, 0, 0, 0, "");
        while (TimeProvider.System.GetElapsedTime(started) < MidFlightDeadline)
        {
            var details = await Task.WhenAll(ids.Select(id => GetAsync(member, id, ct)));
            last = Snapshot.Of(details);
            if (last.Ready == WorkspaceCount)
            {
                break;
            }

            if (last.PowerOnRunning >= InFlightAtKill)
            {
                return last;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50), TimeProvider.System, ct);
        }

        throw new XunitException(Context($"Never saw {InFlightAtKill} workspaces in power_on; last: {last}"));
    }

    private async Task<IReadOnlyList<(Guid Id, JsonElement Detail)>> WaitUntilAllReadyAsync(HttpClient member, Guid[] ids, CancellationToken ct)
    {
        var started = TimeProvider.System.GetTimestamp();
        var last = new Snapshot(0, 0, 0, 0, "");
        while (TimeProvider.System.GetElapsedTime(started) < ReadyDeadline)
        {
            var details = await Task.WhenAll(ids.Select(id => GetAsync(member, id, ct)));
            last = Snapshot.Of(details);
            if (last.Ready == WorkspaceCount)
            {
                Report($"All {WorkspaceCount} ready {TimeProvider.System.GetElapsedTime(started).TotalSeconds:F1} s after the restart was healthy");
                return ids.Zip(details).ToList();
            }

            if (details.Any(d => Text(d, "status") == "error"))
            {
                var failed = details.Where(d => Text(d, "status") == "error").Select(d => d.ToString());
                throw new XunitException(Context($"A workspace failed after the restart:\n{string.Join("\n", failed)}"));
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), TimeProvider.System, ct);
        }

        throw new XunitException(Context($"Not all {WorkspaceCount} workspaces were ready within {ReadyDeadline.TotalSeconds} s of the restart; last: {last}"));
    }

    private async Task<JsonElement> GetAsync(HttpClient member, Guid id, CancellationToken ct)
    {
        using var response = await member.GetAsync($"/api/v1/workspaces/{id}", ct);
        return await ReadJsonAsync(response, HttpStatusCode.OK, $"read workspace {id}", ct);
    }

    private async Task<JsonElement> ReadJsonAsync(HttpResponseMessage response, HttpStatusCode expected, string what, CancellationToken ct)
    {
        var body = await response.Content.ReadAsStringAsync(ct);
        if (response.StatusCode != expected)
        {
            throw new XunitException(Context($"Could not {what}: {(int)response.StatusCode} {body}"));
        }

        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private async Task ExpectStatusAsync(HttpResponseMessage response, HttpStatusCode expected, string what, CancellationToken ct)
    {
        if (response.StatusCode != expected)
        {
            throw new XunitException(Context($"Could not {what}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}"));
        }
    }

    /// <summary>A failure message with the tail of each portal run's log.</summary>
    private string Context(string message) =>
        message + "\n" + string.Join("\n", _portals.Select(p => p.Tail(40)));

    private static void Report(string line) => TestContext.Current.TestOutputHelper?.WriteLine(line);

    private static string Text(JsonElement element, string property) => element.GetProperty(property).GetString() ?? "";

    private static string? StepOf(JsonElement @event) =>
        @event.TryGetProperty("payload", out var payload) && payload.ValueKind == JsonValueKind.Object
            && payload.TryGetProperty("step", out var step) && step.ValueKind == JsonValueKind.String
            ? step.GetString()
            : null;

    private sealed record Snapshot(int Provisioning, int Ready, int Other, int StepRunning, string RunningSteps)
    {
        public int PowerOnRunning { get; init; }

        public static Snapshot Of(IEnumerable<JsonElement> details)
        {
            var all = details.ToList();
            var running = all
                .SelectMany(d => d.GetProperty("steps").EnumerateArray())
                .Where(s => Text(s, "status") == "running")
                .Select(s => Text(s, "name"))
                .ToList();
            return new Snapshot(
                all.Count(d => Text(d, "status") == "provisioning"),
                all.Count(d => Text(d, "status") == "ready"),
                all.Count(d => Text(d, "status") is not ("provisioning" or "ready")),
                running.Count,
                string.Join(", ", running.GroupBy(n => n).Select(g => $"{g.Key}×{g.Count()}")))
            {
                PowerOnRunning = running.Count(n => n == "power_on"),
            };
        }

        public override string ToString() =>
            $"{Provisioning} provisioning, {Ready} ready, {Other} other; steps running: {StepRunning} ({RunningSteps})";
    }
}

public sealed class CrashRecoveryTestsOnSqlite() : CrashRecoveryTests(DatabaseProvider.Sqlite);

public sealed class CrashRecoveryTestsOnPostgres() : CrashRecoveryTests(DatabaseProvider.Postgres);
