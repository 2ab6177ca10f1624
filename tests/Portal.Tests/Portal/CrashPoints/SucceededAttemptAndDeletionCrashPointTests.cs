using System.Net;
using Portal.Tests.TestInfrastructure;
using Provisioning.Core.Persistence;

namespace Portal.Tests.Portal.CrashPoints;

/// <summary>
/// Issue 20, point 6, for an attempt that succeeds and for the deletion that follows: the real portal is killed with
/// SIGKILL right after each commit of an app workspace's life, from its creation to <c>workspace.deleted</c>, then
/// started again on the same data. Each must end ready (no step succeeding twice) and then deleted, every resource
/// released once and its tenant database gone, exactly as the same story without a stop.
/// </summary>
public abstract class SucceededAttemptAndDeletionCrashPointTests(SucceededAttemptAndDeletionCrashPointTests.Story story)
{
    private const string Release = "demo-app@1.0.0";

    /// <summary>The commits of the attempt; those of the deletion follow.</summary>
    private const int AttemptCommits = 9;

    public static readonly TheoryData<int, string> Boundaries = new()
    {
        { 1, "workspace.requested, provisioning.attempt_started" },
        { 2, "step.started fetch_release" },
        { 3, "step.succeeded fetch_release, step.started create_tenant_database" },
        { 4, "step.succeeded create_tenant_database, step.started create_tenant_schema" },
        { 5, "step.succeeded create_tenant_schema, step.started register_services" },
        { 6, "step.succeeded register_services, step.started generate_api_keys" },
        { 7, "step.succeeded generate_api_keys, step.started start_runtime" },
        { 8, "step.succeeded start_runtime, step.started verify_services" },
        { 9, "step.succeeded verify_services, provisioning.succeeded" },
        { 10, "deprovisioning.started" },
        { 11, "compensation.released verify_services" },
        { 12, "compensation.released start_runtime" },
        { 13, "compensation.released generate_api_keys" },
        { 14, "compensation.released register_services" },
        { 15, "compensation.released create_tenant_schema" },
        { 16, "compensation.released create_tenant_database" },
        { 17, "compensation.released fetch_release" },
        { 18, "workspace.deleted" },
    };

    [Theory]
    [MemberData(nameof(Boundaries))]
    public async Task AppCreatedThenDeleted_KilledRightAfterCommit_IsReadyThenDeleted_AsWithoutAStop(int commit, string events)
    {
        var name = CrashPointRun.HoldName(commit, "del");
        story.Run.Holds[name].Events.ShouldBe(events, $"{name} was not held at the commit the test is named after");
        story.Run.Ended[name].DifferencesFrom(story.Run.Ended["ref-del"]).ShouldBeEmpty($"{name}, killed after \"{events}\", then restarted");
        (await story.Run.TenantDatabaseExistsAsync(story.Run.Ended[name].Id)).ShouldBeFalse(name);
    }

    [Fact]
    public void TheStoryWithoutAStop_ReleasesEverything_AndNoRequestAnswered500()
    {
        var reference = story.Run.Ended["ref-del"];
        reference.Status.ShouldBe("deleted");
        reference.Resources.ShouldNotBeEmpty();
        reference.Resources.ShouldAllBe(r => r.EndsWith(" released", StringComparison.Ordinal));
        reference.Inventory.ShouldBeEmpty();
        reference.Timeline.Count(t => t == "provisioning.succeeded").ShouldBe(1);
        story.Run.ServerErrors.Errors.ShouldBeEmpty();
    }

    /// <summary>Every boundary in one stopped life and one life after.</summary>
    public abstract class Story(DatabaseProvider provider) : IAsyncLifetime
    {
        public CrashPointRun Run { get; } = new(provider);

        public async ValueTask InitializeAsync()
        {
            var ct = TestContext.Current.CancellationToken;
            var (first, api) = await Run.StartAsync(hold: true, "portal-1.log", ct);
            var ids = new Dictionary<string, Guid> { ["ref-del"] = (await api.CreateAsync("ref-del", Release, "ref-del", ct))!.Value };
            await CrashPointRun.WaitUntilAsync(api, ids.Values, d => d.Str("status") == "ready", "ready", ct);
            (await api.DeleteAsync(ids["ref-del"], ct)).ShouldBe(HttpStatusCode.Accepted);

            var names = Enumerable.Range(1, Boundaries.Count).Select(n => CrashPointRun.HoldName(n, "del")).ToList();
            // Held at their first commit, some of these requests never answer: the kill ends them.
            var creates = names.Select(name => api.CreateAsync(name, Release, name, ct)).ToList();
            await Run.WaitForHoldsAsync(first, names[..AttemptCommits], ct);

            // The rest reach ready; deleting them walks them to the commit each is held at.
            var deleting = names[AttemptCommits..];
            var created = await Task.WhenAll(creates[AttemptCommits..]);
            await CrashPointRun.WaitUntilAsync(api, [.. created.Select(id => id!.Value)], d => d.Str("status") == "ready", "ready", ct);
            var deletes = created.Select(id => api.DeleteAsync(id!.Value, ct)).ToList();
            await Run.WaitForHoldsAsync(first, deleting, ct);
            await CrashPointRun.WaitUntilAsync(api, [ids["ref-del"]], d => d.Str("status") == "deleted", "deleted", ct);
            await first.KillAsync();
            await Task.WhenAll(creates);
            await Task.WhenAll(deletes);

            var (_, after) = await Run.StartAsync(hold: false, "portal-2.log", ct);
            foreach (var name in names)
            {
                // The same Idempotency-Key answers with the workspace the first request created.
                ids[name] = (await after.CreateAsync(name, Release, name, ct))!.Value;
            }

            // Those stopped before their deletion was asked for end ready; then they are deleted, without a stop.
            var stoppedEarly = names[..AttemptCommits].Select(n => ids[n]).ToList();
            await CrashPointRun.WaitUntilAsync(after, stoppedEarly, d => d.Str("status") == "ready", "ready", ct);
            foreach (var id in stoppedEarly)
            {
                (await after.DeleteAsync(id, ct)).ShouldBe(HttpStatusCode.Accepted);
            }

            await CrashPointRun.WaitUntilAsync(after, ids.Values, d => d.Str("status") == "deleted", "deleted", ct);
            await CrashPointRun.SnapshotAsync(after, ids, Run.Ended, ct);
        }

        public ValueTask DisposeAsync() => Run.DisposeAsync();
    }
}

public sealed class SucceededAttemptAndDeletionCrashPointTestsOnSqlite(SucceededAttemptAndDeletionCrashPointTestsOnSqlite.Fixture story) : SucceededAttemptAndDeletionCrashPointTests(story), IClassFixture<SucceededAttemptAndDeletionCrashPointTestsOnSqlite.Fixture>
{
    public sealed class Fixture() : Story(DatabaseProvider.Sqlite);
}

public sealed class SucceededAttemptAndDeletionCrashPointTestsOnPostgres(SucceededAttemptAndDeletionCrashPointTestsOnPostgres.Fixture story) : SucceededAttemptAndDeletionCrashPointTests(story), IClassFixture<SucceededAttemptAndDeletionCrashPointTestsOnPostgres.Fixture>
{
    public sealed class Fixture() : Story(DatabaseProvider.Postgres);
}
