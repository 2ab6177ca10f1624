using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Portal.Tests.TestInfrastructure;
using Xunit.Sdk;

namespace Portal.Tests.Portal.Cluster;

/// <summary>
/// Issue 13: two portal nodes, real processes with data directories of their own, on one PostgreSQL database and
/// nothing else shared. Either node answers for work the other does, a node killed mid-attempt leaves its attempts to
/// the survivor, and what must happen once happens once across both.
/// </summary>
public sealed class TwoNodeTests : IAsyncDisposable
{
    private const string VmRelease = "ubuntu-vm@24.04";

    private readonly List<CrashPortalProcess> _nodes = [];
    private readonly List<string> _dataDirectories = [];
    private readonly List<PortalApiClient> _clients = [];
    private readonly ServerErrorCounter _serverErrors = new();

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

    [Fact]
    public async Task ProgressMadeOnOneNode_IsWhatTheOtherNodeAnswers()
    {
        const int Workspaces = 8;
        var ct = TestContext.Current.CancellationToken;
        var (a, b) = await StartTwoNodesAsync(ct);
        var (onA, onB) = (await SignInAsync(a, ct), await SignInAsync(b, ct));
        await onA.AddFaultAsync("power_on", null, latencyMs: 1500, cancellationToken: ct);

        // Each node answers for every workspace while it is being provisioned (and may keep that answer), then must
        // see it end, whichever node ran it.
        var ids = new List<Guid>();
        for (var i = 0; i < Workspaces; i++)
        {
            ids.Add((await onA.CreateAsync($"seen-{i}", VmRelease, $"seen-{i}", ct))!.Value);
        }

        foreach (var id in ids)
        {
            (await onA.WorkspaceAsync(id, ct)).Str("status").ShouldBe("provisioning");
            (await onB.WorkspaceAsync(id, ct)).Str("status").ShouldBe("provisioning");
        }

        await WaitUntilAsync(onB, ids, d => d.Str("status") == "ready", TimeSpan.FromSeconds(60), ct);
        await WaitUntilAsync(onA, ids, d => d.Str("status") == "ready", TimeSpan.FromSeconds(60), ct);

        // The node that schedules a job is the one woken to run it, so node A ran what it was asked for: node B's
        // answers came from what A committed, as the notifications told it.
        var ranOn = _nodes.Select(n => n.Lines(l => l.Contains("Provisioning succeeded", StringComparison.Ordinal)).Count).ToList();
        ranOn[0].ShouldBeGreaterThan(0, $"attempts run on node A and B: {string.Join(", ", ranOn)}");
        _serverErrors.Errors.ShouldBeEmpty();
    }

    [Fact]
    public async Task ANodeKilledWithAttemptsInFlight_LeavesThemToTheSurvivor_OneVmEach_NoStepTwice()
    {
        const int Workspaces = 12;
        var ct = TestContext.Current.CancellationToken;
        var (a, b) = await StartTwoNodesAsync(ct);
        var (onA, onB) = (await SignInAsync(a, ct), await SignInAsync(b, ct));
        await onA.AddFaultAsync("power_on", null, latencyMs: 2000, cancellationToken: ct);

        var ids = new List<Guid>();
        for (var i = 0; i < Workspaces; i++)
        {
            var client = i % 2 == 0 ? onA : onB;
            ids.Add((await client.CreateAsync($"failover-{i:D2}", VmRelease, $"failover-{i:D2}", ct))!.Value);
        }

        // Kill node A while attempts are inside power_on; which node runs which attempt is the cluster's choice.
        await WaitUntilAsync(onB, ids, d => d.GetProperty("steps").EnumerateArray().Any(s => s.Str("name") == "power_on" && s.Str("status") == "running"),
            TimeSpan.FromSeconds(60), ct, all: false);
        var killedAt = Stopwatch.StartNew();
        await a.KillAsync();
        var ranOnA = a.Lines(l => l.Contains("Provisioning succeeded", StringComparison.Ordinal)).Count;

        var details = await WaitUntilAsync(onB, ids, d => d.Str("status") is "ready" or "error", TimeSpan.FromSeconds(90), ct);
        var allReadyAfter = killedAt.Elapsed;
        details.Values.Select(d => $"{d.Str("name")}: {d.Str("status")} {d.Str("error_code")}").Where(s => !s.EndsWith("ready ", StringComparison.Ordinal))
            .ShouldBeEmpty();
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"All {Workspaces} ready {allReadyAfter.TotalSeconds:F1} s after node A was killed; {ranOnA} had finished on A before.");

        var inventory = await onB.InventoryAsync(ct);
        foreach (var id in ids)
        {
            inventory.Count(r => r.GetProperty("workspace_id").GetGuid() == id && r.Str("kind") == "vm" && r.Str("state") == "active").ShouldBe(1, $"VMs of {id}");
            var events = await onB.EventsAsync(id, ct);
            WorkspaceSnapshot.WrongStartsIn(events).ShouldBeEmpty();
            events.Where(e => e.Str("type") == "step.succeeded").GroupBy(e => (e.Str("correlation_id"), WorkspaceSnapshot.StepOf(e)))
                .Where(g => g.Count() > 1).Select(g => $"{g.Key.Item2} succeeded {g.Count()} times").ShouldBeEmpty();
            events.Count(e => e.Str("type") == "provisioning.succeeded").ShouldBe(1);
        }

        _serverErrors.Errors.ShouldBeEmpty();
    }

    [Fact]
    public async Task ANodeFrozenLongerThanTheClusterWaits_LosesItsAttempts_AndWritesNothingStaleWhenItWakes()
    {
        const int Workspaces = 8;
        var ct = TestContext.Current.CancellationToken;
        // A frozen node keeps its connections; one frozen inside a transaction would hold its row locks for good
        // without the server-side timeout this deployment sets (README, running as a cluster).
        var (a, b) = await StartTwoNodesAsync(ct, "Options=-c idle_in_transaction_session_timeout=5000");
        var (onA, onB) = (await SignInAsync(a, ct), await SignInAsync(b, ct));
        await onA.AddFaultAsync("power_on", null, latencyMs: 3000, cancellationToken: ct);
        var ids = new List<Guid>();
        for (var i = 0; i < Workspaces; i++)
        {
            ids.Add((await onA.CreateAsync($"frozen-{i}", VmRelease, $"frozen-{i}", ct))!.Value);
        }

        // Node A (which runs what it was asked for) freezes inside power_on; node B takes its attempts over once
        // Quartz declares A dead, and ends them.
        await WaitUntilAsync(onB, ids, d => d.GetProperty("steps").EnumerateArray().Any(s => s.Str("name") == "power_on" && s.Str("status") == "running"),
            TimeSpan.FromSeconds(60), ct, all: false);
        await a.PauseAsync();
        await WaitUntilAsync(onB, ids, d => d.Str("status") == "ready", TimeSpan.FromSeconds(90), ct);

        // A wakes up mid-step, as if nothing happened: its next save is refused, as is every later one of those runs.
        await a.ContinueAsync();
        await a.WaitForLinesAsync(l => l.Contains("was saved by another writer", StringComparison.Ordinal), 1, TimeSpan.FromSeconds(60), ct);

        var inventory = await onB.InventoryAsync(ct);
        foreach (var id in ids)
        {
            inventory.Count(r => r.GetProperty("workspace_id").GetGuid() == id && r.Str("kind") == "vm" && r.Str("state") == "active").ShouldBe(1, $"VMs of {id}");
            var events = await onB.EventsAsync(id, ct);
            events.Where(e => e.Str("type") == "step.succeeded").GroupBy(e => (e.Str("correlation_id"), WorkspaceSnapshot.StepOf(e)))
                .Where(g => g.Count() > 1).Select(g => $"{g.Key.Item2} succeeded {g.Count()} times").ShouldBeEmpty();
            events.Count(e => e.Str("type") == "provisioning.succeeded").ShouldBe(1);
            (await onA.WorkspaceAsync(id, ct)).Str("status").ShouldBe("ready");
        }

        _serverErrors.Errors.ShouldBeEmpty();
    }

    [Fact]
    public async Task CapacityRequestedFromBothNodesAtOnce_IsBookedExactly()
    {
        const int Fit = 6;
        const int Asked = 10;
        var ct = TestContext.Current.CancellationToken;
        var (a, b) = await StartTwoNodesAsync(ct);
        var (onA, onB) = (await SignInAsync(a, ct), await SignInAsync(b, ct));
        // Each VM takes 1 CPU and 1 GB: room for six.
        await onA.SetCapacityAsync(Fit, 1000, ct);

        var ids = await Task.WhenAll(Enumerable.Range(0, Asked).Select(i =>
            (i % 2 == 0 ? onA : onB).CreateAsync($"capacity-{i:D2}", VmRelease, $"capacity-{i:D2}", ct)));
        var details = await WaitUntilAsync(onA, [.. ids.Select(id => id!.Value)], d => d.Str("status") is "ready" or "error", TimeSpan.FromSeconds(90), ct);

        details.Values.Count(d => d.Str("status") == "ready").ShouldBe(Fit);
        details.Values.Where(d => d.Str("status") == "error").ShouldAllBe(d => d.Str("error_code") == "insufficient_resources");
        var capacity = await onB.CapacityAsync(ct);
        (capacity.GetProperty("used_cpu").GetInt32(), capacity.GetProperty("free_cpu").GetInt32()).ShouldBe((Fit, 0));
    }

    [Fact]
    public async Task TwentyRetriesSentToBothNodesAtOnce_StartExactlyOneAttempt_AndEveryEmailGoesOnce()
    {
        var ct = TestContext.Current.CancellationToken;
        var (a, b) = await StartTwoNodesAsync(ct);
        var (onA, onB) = (await SignInAsync(a, ct), await SignInAsync(b, ct));
        await onA.AddFaultAsync("clone_vm", "connection_failed", times: 1, cancellationToken: ct);
        var id = (await onA.CreateAsync("retried-once", VmRelease, "retried-once", ct))!.Value;
        await WaitUntilAsync(onB, [id], d => d.Str("status") == "error", TimeSpan.FromSeconds(60), ct);

        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => (i % 2 == 0 ? onA : onB).RetryAsync(id, ct)));

        answers.Count(s => s == HttpStatusCode.Accepted).ShouldBe(1, string.Join(", ", answers));
        answers.Where(s => s != HttpStatusCode.Accepted).ShouldAllBe(s => s == HttpStatusCode.Conflict);
        var ready = (await WaitUntilAsync(onA, [id], d => d.Str("status") == "ready", TimeSpan.FromSeconds(60), ct))[id];
        ready.GetProperty("attempt").GetInt32().ShouldBe(2);

        // Two failure emails and one "ready": each sent once, by one node or the other, into its own pickup folder.
        var outbox = (await onA.OutboxAsync(ct)).Where(m => m.GetProperty("workspace_id").GetGuid() == id).ToList();
        outbox.Count.ShouldBe(3);
        await WaitUntilAsync(() => outbox.All(m => SentFiles(m.GetProperty("id").GetGuid()) == 1), TimeSpan.FromSeconds(60), ct,
            () => string.Join(", ", outbox.Select(m => $"{m.Str("template")}: {SentFiles(m.GetProperty("id").GetGuid())} files")));
        _serverErrors.Errors.ShouldBeEmpty();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }

        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }
    }

    private async Task<(CrashPortalProcess A, CrashPortalProcess B)> StartTwoNodesAsync(CancellationToken ct, string? connectionOptions = null)
    {
        var environment = new Dictionary<string, string>
        {
            ["Database__Provider"] = "Postgres",
            ["ConnectionStrings__Portal"] = await PostgresServer.CreateDatabaseAsync(ct) + (connectionOptions is null ? "" : $";{connectionOptions}"),
            ["Simulator__ReadinessDelay"] = "00:00:00.100",
            ["Mail__Delivery__PollInterval"] = "00:00:01",
        };
        foreach (var name in new[] { "node-a", "node-b" })
        {
            var data = TestPaths.NewDataDirectory();
            _dataDirectories.Add(data);
            _nodes.Add(await CrashPortalProcess.StartHealthyAsync(data, $"{name}.log", environment, TimeSpan.FromSeconds(90), ct));
        }

        return (_nodes[0], _nodes[1]);
    }

    private async Task<PortalApiClient> SignInAsync(CrashPortalProcess node, CancellationToken ct)
    {
        var client = await PortalApiClient.SignInAsync(node.BaseAddress, _serverErrors, ct);
        _clients.Add(client);
        return client;
    }

    /// <summary>How many nodes wrote this email into their pickup folder.</summary>
    private int SentFiles(Guid messageId) =>
        _dataDirectories.Count(data => File.Exists(Path.Combine(data, "mail", $"{messageId:N}.eml")));

    private async Task<Dictionary<Guid, JsonElement>> WaitUntilAsync(
        PortalApiClient api, IReadOnlyCollection<Guid> ids, Func<JsonElement, bool> done, TimeSpan deadline, CancellationToken ct, bool all = true)
    {
        var started = Stopwatch.StartNew();
        while (true)
        {
            var details = new Dictionary<Guid, JsonElement>();
            foreach (var id in ids)
            {
                details[id] = await api.WorkspaceAsync(id, ct);
            }

            if (all ? details.Values.All(done) : details.Values.Any(done))
            {
                return details;
            }

            if (started.Elapsed > deadline)
            {
                throw new XunitException($"Not {(all ? "all" : "any")} within {deadline.TotalSeconds} s: " +
                    string.Join(", ", details.Values.Select(d => $"{d.Str("name")} {d.Str("status")}")) + "\n" +
                    string.Join("\n", _nodes.Select(n => n.Tail(30))));
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), TimeProvider.System, ct);
        }
    }

    private async Task WaitUntilAsync(Func<bool> condition, TimeSpan deadline, CancellationToken ct, Func<string> describe)
    {
        var started = Stopwatch.StartNew();
        while (!condition())
        {
            if (started.Elapsed > deadline)
            {
                throw new XunitException($"Not within {deadline.TotalSeconds} s: {describe()}\n" + string.Join("\n", _nodes.Select(n => n.Tail(30))));
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), TimeProvider.System, ct);
        }
    }
}
