using Portal.Tests.TestInfrastructure;
using Provisioning.Core.Persistence;

namespace Portal.Tests.Portal.CrashPoints;

/// <summary>
/// Issue 20, point 6, for failed attempts: the real portal is killed with SIGKILL right after each commit of an app
/// attempt whose <c>start_runtime</c> fails for good (cleanup releases, and retains the tenant database), and of a VM
/// attempt whose <c>wait_for_guest_tools</c> fails for good (cleanup of the network adapter fails: it is orphaned),
/// then started again on the same data. Each stopped workspace must end as the same story did without a stop, and a
/// retry must then bring it to ready with the same resources. One process life holds every workspace at its own
/// commit at once (<see cref="CrashPointRun"/>), so each is stopped exactly there by the one kill.
/// </summary>
public abstract class FailedAttemptCrashPointTests(FailedAttemptCrashPointTests.Stories stories)
{
    public static readonly TheoryData<int, string> AppBoundaries = new()
    {
        { 1, "workspace.requested, provisioning.attempt_started" },
        { 2, "step.started fetch_release" },
        { 3, "step.succeeded fetch_release, step.started create_tenant_database" },
        { 4, "step.succeeded create_tenant_database, step.started create_tenant_schema" },
        { 5, "step.succeeded create_tenant_schema, step.started register_services" },
        { 6, "step.succeeded register_services, step.started generate_api_keys" },
        { 7, "step.succeeded generate_api_keys, step.started start_runtime" },
        { 8, "step.failed start_runtime" },
        { 9, "compensation.released start_runtime" },
        { 10, "compensation.released generate_api_keys" },
        { 11, "compensation.released register_services" },
        { 12, "compensation.retained create_tenant_database" },
        { 13, "compensation.released fetch_release" },
        { 14, "provisioning.failed start_runtime" },
    };

    public static readonly TheoryData<int, string> VmBoundaries = new()
    {
        { 1, "workspace.requested, provisioning.attempt_started" },
        { 2, "step.started validate_request" },
        { 3, "step.succeeded validate_request, step.started clone_vm" },
        { 4, "step.succeeded clone_vm, step.started configure_network" },
        { 5, "step.succeeded configure_network, step.started power_on" },
        { 6, "step.succeeded power_on, step.started wait_for_guest_tools" },
        { 7, "step.failed wait_for_guest_tools" },
        { 8, "compensation.released wait_for_guest_tools" },
        { 9, "compensation.released power_on" },
        { 10, "compensation.failed configure_network" },
        { 11, "compensation.released clone_vm" },
        { 12, "compensation.released validate_request" },
        { 13, "provisioning.failed wait_for_guest_tools" },
    };

    [Theory]
    [MemberData(nameof(AppBoundaries))]
    public void AppFailingAtStartRuntime_KilledRightAfterCommit_EndsAsWithoutAStop_AndARetryMakesItReady(int commit, string events) =>
        stories.Check("app", commit, events);

    [Theory]
    [MemberData(nameof(VmBoundaries))]
    public void VmFailingAtGuestTools_KilledRightAfterCommit_EndsAsWithoutAStop_AndARetryMakesItReady(int commit, string events) =>
        stories.Check("vm", commit, events);

    [Fact]
    public void TheStoriesWithoutAStop_FailAsDesigned_AndNoRequestAnswered500()
    {
        var app = stories.Run.Ended["ref-app"];
        app.Status.ShouldBe("error");
        app.ErrorCode.ShouldBe("connection_failed");
        app.Resources.ShouldContain("create_tenant_database database retained");
        app.Emails.ShouldBe(["admin@acme.test tenant_admin_failure", "member@acme.test requester_failure"]);
        var vm = stories.Run.Ended["ref-vm"];
        vm.ErrorCode.ShouldBe("tools_timeout");
        vm.Resources.ShouldContain("configure_network network orphaned");
        vm.Inventory.ShouldBe(["network"]);
        stories.Run.AfterRetry.Values.ShouldAllBe(s => s.Status == "ready");
        stories.Run.ServerErrors.Errors.ShouldBeEmpty();
    }

    /// <summary>Both stories, every boundary, in one stopped life and one life after.</summary>
    public abstract class Stories(DatabaseProvider provider) : IAsyncLifetime
    {
        public CrashPointRun Run { get; } = new(provider);

        public async ValueTask InitializeAsync()
        {
            var ct = TestContext.Current.CancellationToken;
            var (first, api) = await Run.StartAsync(hold: true, "portal-1.log", ct);
            await api.AddFaultAsync("start_runtime", "connection_failed", cancellationToken: ct);
            await api.AddFaultAsync("wait_for_guest_tools", "tools_timeout", cancellationToken: ct);
            await api.AddFaultAsync("configure_network", "service_unavailable", FaultOn.Compensate, cancellationToken: ct);

            var stories = new Dictionary<string, (string Release, int Commits)> { ["app"] = ("demo-app@1.0.0", AppBoundaries.Count), ["vm"] = ("ubuntu-vm@24.04", VmBoundaries.Count) };
            var references = new Dictionary<string, Guid>();
            foreach (var (story, (release, _)) in stories)
            {
                references[$"ref-{story}"] = (await api.CreateAsync($"ref-{story}", release, $"ref-{story}", ct))!.Value;
            }

            await CrashPointRun.WaitUntilAsync(api, references.Values, d => d.Str("status") == "error", "failed", ct);

            var held = stories.SelectMany(s => Enumerable.Range(1, s.Value.Commits).Select(n => (Name: CrashPointRun.HoldName(n, s.Key), s.Value.Release))).ToList();
            // Held at their first commit, some of these requests never answer: the kill ends them.
            var creates = held.Select(h => api.CreateAsync(h.Name, h.Release, h.Name, ct)).ToList();
            await Run.WaitForHoldsAsync(first, [.. held.Select(h => h.Name)], ct);
            await first.KillAsync();
            await Task.WhenAll(creates);

            var (_, after) = await Run.StartAsync(hold: false, "portal-2.log", ct);
            var ids = new Dictionary<string, Guid>(references);
            foreach (var (name, release) in held)
            {
                // The same Idempotency-Key answers with the workspace the first request created.
                ids[name] = (await after.CreateAsync(name, release, name, ct))!.Value;
            }

            await CrashPointRun.WaitUntilAsync(after, ids.Values, CrashPointRun.IsTerminal, "ended", ct);
            await CrashPointRun.SnapshotAsync(after, ids, Run.Ended, ct);

            await Run.RetryAllAsync(after, ids, ct);
        }

        public ValueTask DisposeAsync() => Run.DisposeAsync();

        public void Check(string story, int commit, string events)
        {
            var name = CrashPointRun.HoldName(commit, story);
            Run.Holds[name].Events.ShouldBe(events, $"{name} was not held at the commit the test is named after");
            Run.Ended[name].DifferencesFrom(Run.Ended[$"ref-{story}"]).ShouldBeEmpty($"{name}, killed after \"{events}\", then restarted");
            Run.AfterRetry[name].DifferencesFrom(Run.AfterRetry[$"ref-{story}"]).ShouldBeEmpty($"{name}, retried after the restart");
        }
    }
}

public sealed class FailedAttemptCrashPointTestsOnSqlite(FailedAttemptCrashPointTestsOnSqlite.Fixture stories) : FailedAttemptCrashPointTests(stories), IClassFixture<FailedAttemptCrashPointTestsOnSqlite.Fixture>
{
    public sealed class Fixture() : Stories(DatabaseProvider.Sqlite);
}

public sealed class FailedAttemptCrashPointTestsOnPostgres(FailedAttemptCrashPointTestsOnPostgres.Fixture stories) : FailedAttemptCrashPointTests(stories), IClassFixture<FailedAttemptCrashPointTestsOnPostgres.Fixture>
{
    public sealed class Fixture() : Stories(DatabaseProvider.Postgres);
}
