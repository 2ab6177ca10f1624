using System.Net;
using System.Text.Json;
using Portal.Tests.TestInfrastructure;
using Provisioning.Core.Persistence;

namespace Portal.Tests.Portal.CrashPoints;

/// <summary>
/// Issue 20, point 3: SIGTERM, as every rolling deploy sends, while app attempts that fail at <c>start_runtime</c>
/// stand at a few of their commits, one is inside a step that takes ten minutes and one inside a compensation that
/// takes ten minutes. The portal must cancel what runs and exit on its own well within its shutdown timeout, and the
/// next start must carry every workspace on to the same end as the same story without a stop.
/// </summary>
public abstract class GracefulStopTests(GracefulStopTests.Story story)
{
    private const string Release = "demo-app@1.0.0";

    /// <summary><c>Host:ShutdownTimeout</c> of the portal (README): what a stop that did not cancel its work would take.</summary>
    private static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(10);

    public static readonly TheoryData<int, string> Boundaries = new()
    {
        { 1, "workspace.requested, provisioning.attempt_started" },
        { 7, "step.succeeded generate_api_keys, step.started start_runtime" },
        { 8, "step.failed start_runtime" },
        { 10, "compensation.released generate_api_keys" },
        { 14, "provisioning.failed start_runtime" },
    };

    [Theory]
    [MemberData(nameof(Boundaries))]
    public void SigtermRightAfterCommit_EndsAsWithoutAStop(int commit, string events)
    {
        var name = CrashPointRun.HoldName(commit, "term");
        story.Run.Holds[name].Events.ShouldBe(events, $"{name} was not held at the commit the test is named after");
        story.Check(name);
    }

    [Theory]
    [InlineData("long-step")]
    [InlineData("long-cleanup")]
    public void SigtermDuringALongStepOrCleanup_CancelsIt_AndTheNextStartFinishesIt(string name) => story.Check(name);

    [Fact]
    public void SigtermStopsThePortalOnItsOwn_WellWithinTheShutdownTimeout()
    {
        TestContext.Current.TestOutputHelper?.WriteLine($"Stopped {story.StoppedIn.TotalSeconds:F2} s after SIGTERM, exit code {story.ExitCode}");
        story.ExitCode.ShouldBe(0, story.Run.Logs());
        story.StoppedIn.ShouldBeLessThan(ShutdownTimeout - TimeSpan.FromSeconds(2), story.Run.Logs());
        // Cancelled work is neither a failed step, nor a failed cleanup, nor an error of the scheduler.
        story.FirstLifeLog.ShouldNotContain(l => l.StartsWith("fail:", StringComparison.Ordinal) || l.StartsWith("crit:", StringComparison.Ordinal),
            string.Join("\n", story.FirstLifeLog));
        // The attempts held after commits 7, 8, 10 and 14 and the two inside ten-minute faults; the one held at its
        // creation is a request, not yet a job.
        story.FirstLifeLog.Count(l => l.Contains("The host is stopping: workspace", StringComparison.Ordinal)).ShouldBe(6, string.Join("\n", story.FirstLifeLog));
        story.Run.ServerErrors.Errors.ShouldBeEmpty();
    }

    /// <summary>One life stopped by SIGTERM, one after.</summary>
    public abstract class Story(DatabaseProvider provider) : IAsyncLifetime
    {
        public CrashPointRun Run { get; } = new(provider);

        public TimeSpan StoppedIn { get; private set; }

        public int ExitCode { get; private set; }

        public IReadOnlyList<string> FirstLifeLog { get; private set; } = [];

        public async ValueTask InitializeAsync()
        {
            var ct = TestContext.Current.CancellationToken;
            var (first, api) = await Run.StartAsync(hold: true, "portal-1.log", ct);
            await api.AddFaultAsync("start_runtime", "connection_failed", cancellationToken: ct);
            var ids = new Dictionary<string, Guid> { ["ref-term"] = (await api.CreateAsync("ref-term", Release, "ref-term", ct))!.Value };
            await CrashPointRun.WaitUntilAsync(api, ids.Values, d => d.Str("status") == "error", "failed", ct);

            // Each ten-minute fault is taken by the one workspace that reaches it first (times: 1).
            await api.AddFaultAsync("register_services", null, times: 1, latencyMs: 600_000, cancellationToken: ct);
            ids["long-step"] = (await api.CreateAsync("long-step", Release, "long-step", ct))!.Value;
            await WaitUntilTakenAsync(api, "register_services", ct);
            await api.AddFaultAsync("generate_api_keys", null, FaultOn.Compensate, times: 1, latencyMs: 600_000, cancellationToken: ct);
            ids["long-cleanup"] = (await api.CreateAsync("long-cleanup", Release, "long-cleanup", ct))!.Value;
            await WaitUntilTakenAsync(api, "generate_api_keys", ct);

            var names = Boundaries.Select(b => CrashPointRun.HoldName((int)b.Data.Item1, "term")).ToList();
            var creates = names.Select(name => api.CreateAsync(name, Release, name, ct)).ToList();
            await Run.WaitForHoldsAsync(first, names, ct);

            var before = first.Lines(_ => true).Count;
            StoppedIn = await first.TerminateAsync(TimeSpan.FromSeconds(30));
            ExitCode = first.ExitCode;
            FirstLifeLog = first.Lines(_ => true).Skip(before).ToList();
            await Task.WhenAll(creates);

            var (_, after) = await Run.StartAsync(hold: false, "portal-2.log", ct);
            foreach (var name in names)
            {
                ids[name] = (await after.CreateAsync(name, Release, name, ct))!.Value;
            }

            await CrashPointRun.WaitUntilAsync(after, ids.Values, CrashPointRun.IsTerminal, "ended", ct);
            await CrashPointRun.SnapshotAsync(after, ids, Run.Ended, ct);
            await Run.RetryAllAsync(after, ids, ct);
        }

        public ValueTask DisposeAsync() => Run.DisposeAsync();

        public void Check(string name)
        {
            Run.Ended[name].DifferencesFrom(Run.Ended["ref-term"]).ShouldBeEmpty($"{name}, stopped by SIGTERM, then restarted");
            Run.AfterRetry[name].DifferencesFrom(Run.AfterRetry["ref-term"]).ShouldBeEmpty($"{name}, retried after the restart");
        }

        /// <summary>Waits until the latency fault on this step has been taken (its one use counted down).</summary>
        private static async Task WaitUntilTakenAsync(PortalApiClient api, string step, CancellationToken ct)
        {
            var started = TimeProvider.System.GetTimestamp();
            while (true)
            {
                var faults = await api.FaultsAsync(ct);
                if (faults.Any(f => f.Str("step") == step && f.GetProperty("remaining").ValueKind == JsonValueKind.Number && f.GetProperty("remaining").GetInt32() == 0))
                {
                    return;
                }

                if (TimeProvider.System.GetElapsedTime(started) > TimeSpan.FromSeconds(60))
                {
                    throw new TimeoutException($"No workspace reached the latency fault on {step} within 60 s.");
                }

                await Task.Delay(TimeSpan.FromMilliseconds(100), TimeProvider.System, ct);
            }
        }
    }
}

public sealed class GracefulStopTestsOnSqlite(GracefulStopTestsOnSqlite.Fixture story) : GracefulStopTests(story), IClassFixture<GracefulStopTestsOnSqlite.Fixture>
{
    public sealed class Fixture() : Story(DatabaseProvider.Sqlite);
}

public sealed class GracefulStopTestsOnPostgres(GracefulStopTestsOnPostgres.Fixture story) : GracefulStopTests(story), IClassFixture<GracefulStopTestsOnPostgres.Fixture>
{
    public sealed class Fixture() : Story(DatabaseProvider.Postgres);
}
