using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Portal.Tests.Core.Notifications;
using Portal.Tests.TestInfrastructure;
using Provisioning.Core.Errors;
using Provisioning.Core.Persistence;
using Provisioning.Core.Simulator;
using Provisioning.Core.TenantDatabases;
using Provisioning.Core.Workspaces;

namespace Portal.Tests.Core.Engine;

/// <summary>
/// DESIGN §4 in process: the engine is stopped (its token cancelled, as the host stopping does) right after each
/// commit of a story in turn, then run again on the same database, and must end exactly as the same story without a
/// stop. The real process, killed with SIGKILL at the same boundaries, is <c>Portal/CrashPointTests</c>.
/// </summary>
public abstract class ProvisioningEngineResumeTests(DatabaseProvider provider)
{
    private const string HoldPrefix = "hold-";

    [Fact]
    public async Task VmFailingAtGuestTools_WithACleanupThatFails_StoppedAfterEachCommit_EndsAsWithoutAStop()
    {
        await using var harness = await StartAsync();
        await harness.AddFaultAsync("wait_for_guest_tools", ErrorCatalogue.ToolsTimeout);
        await harness.AddFaultAsync("configure_network", ErrorCatalogue.ServiceUnavailable, on: FaultPhase.Compensate);

        var outcomes = await StopAtEveryBoundaryAsync(harness, "ubuntu-vm@24.04", deleteAfterwards: false);

        // The reference, then a stop after: creation, 5 step boundaries, the failure, 5 compensations (one of them failed), provisioning.failed.
        outcomes.Count.ShouldBe(1 + 13);
        var reference = outcomes[0];
        reference.End.Status.ShouldBe(WorkspaceStatus.Error);
        reference.End.ErrorCode.ShouldBe(ErrorCatalogue.ToolsTimeout);
        reference.End.Resources.ShouldContain("configure_network network Orphaned");
        await RetryAllAsync(harness, outcomes);
        AssertSameAsReference(outcomes);
    }

    [Fact]
    public async Task AppFailingAtStartRuntime_StoppedAfterEachCommit_EndsAsWithoutAStop_RetainingTheDatabase()
    {
        await using var harness = await StartAsync();
        await harness.AddFaultAsync("start_runtime", ErrorCatalogue.ConnectionFailed);

        var outcomes = await StopAtEveryBoundaryAsync(harness, "demo-app@1.0.0", deleteAfterwards: false);

        // The reference, then a stop after: creation, 6 step boundaries, the failure, 5 compensations (the schema keeps
        // nothing of its own), provisioning.failed.
        outcomes.Count.ShouldBe(1 + 14);
        var reference = outcomes[0];
        reference.End.ErrorCode.ShouldBe(ErrorCatalogue.ConnectionFailed);
        reference.End.Resources.ShouldContain("create_tenant_database database Retained");
        await RetryAllAsync(harness, outcomes);
        AssertSameAsReference(outcomes);
    }

    [Fact]
    public async Task AppThatSucceeds_ThenIsDeleted_StoppedAfterEachCommit_EndsDeleted_ReleasingEachResourceOnce()
    {
        await using var harness = await StartAsync();

        var outcomes = await StopAtEveryBoundaryAsync(harness, "demo-app@1.0.0", deleteAfterwards: true);

        // The reference, then a stop after: creation, 7 step boundaries, provisioning.succeeded; deprovisioning.started,
        // 7 releases, workspace.deleted.
        outcomes.Count.ShouldBe(1 + 18);
        outcomes[0].End.Status.ShouldBe(WorkspaceStatus.Deleted);
        outcomes[0].End.Resources.ShouldAllBe(r => r.EndsWith(" Released", StringComparison.Ordinal));
        AssertSameAsReference(outcomes);
    }

    [Fact]
    public async Task FailedAppThenDeleted_StoppedAfterEachCommit_EndsDeleted_TheRetainedDatabaseIncluded()
    {
        await using var harness = await StartAsync();
        await harness.AddFaultAsync("start_runtime", ErrorCatalogue.ConnectionFailed);

        var outcomes = await StopAtEveryBoundaryAsync(harness, "demo-app@1.0.0", deleteAfterwards: true);

        // The failure's 14 commits; deprovisioning.started, releases of the three steps that hold something, workspace.deleted.
        outcomes.Count.ShouldBe(1 + 14 + 5);
        outcomes[0].End.Status.ShouldBe(WorkspaceStatus.Deleted);
        outcomes[0].End.Resources.ShouldContain("create_tenant_database database Released");
        AssertSameAsReference(outcomes);
        var databases = harness.Services.GetRequiredService<TenantDatabaseAllocator>();
        foreach (var outcome in outcomes)
        {
            (await databases.ExistsAsync(outcome.WorkspaceId, CancellationToken.None)).ShouldBeFalse(outcome.Name);
        }
    }

    private async Task<ProvisioningHarness> StartAsync()
    {
        var harness = await ProvisioningHarness.StartAsync(new Dictionary<string, string?> { [CommitHold.Setting] = HoldPrefix }, provider);
        await harness.AddCastAsync();
        await harness.Simulator.SetCapacityAsync(1000, 4000, CancellationToken.None);
        return harness;
    }

    /// <summary>
    /// The story once without a stop (the reference, first), then once stopped after commit 1, 2, … until a run
    /// passes its last commit without being held: that number of boundaries the story has.
    /// </summary>
    private static async Task<List<Outcome>> StopAtEveryBoundaryAsync(ProvisioningHarness harness, string release, bool deleteAfterwards)
    {
        var hold = harness.Services.GetRequiredService<CommitHold>();
        var outcomes = new List<Outcome>();
        for (var commit = 0; ; commit++)
        {
            // "hold-00-…" is never held: the reference.
            var name = $"{HoldPrefix}{commit:D2}-{Guid.NewGuid():N}"[..20];
            using var stop = new CancellationTokenSource();
            var story = RunStoryAsync(harness, name, release, deleteAfterwards, stop.Token);
            var held = hold.WhenHeldAsync(name);
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            var first = await Task.WhenAny(story, held).WaitAsync(deadline.Token);
            Guid workspaceId;
            if (first == held)
            {
                await stop.CancelAsync();
                try
                {
                    await story;
                    throw new InvalidOperationException($"{name} was held, yet its story ended without noticing the stop.");
                }
                catch (OperationCanceledException)
                {
                    // The stop, right after the held commit.
                }

                workspaceId = (await held).WorkspaceId;
                await RunStoryAsync(harness, name, release, deleteAfterwards, CancellationToken.None, workspaceId);
            }
            else
            {
                workspaceId = await story;
                if (commit > 0)
                {
                    // Not held: the story has fewer commits than this, and this run was one without a stop.
                    return outcomes;
                }
            }

            outcomes.Add(new Outcome(commit, name, workspaceId, await EndOfAsync(harness, workspaceId)));
        }
    }

    /// <summary>Creates the workspace (unless resuming it), runs it to its end, and deletes it if the story says so.</summary>
    private static async Task<Guid> RunStoryAsync(
        ProvisioningHarness harness, string name, string release, bool deleteAfterwards, CancellationToken stop, Guid? resuming = null)
    {
        var workspaceId = resuming ?? (await harness.Requests.CreateAsync(
            new CreateWorkspace("acme", "member@acme.test", name, release, 1, 1), stop)).Workspace!.Id;
        await harness.Engine.RunAsync(workspaceId, stop);
        if (deleteAfterwards && (await harness.LoadAsync(workspaceId)).Status != WorkspaceStatus.Deleted)
        {
            var (_, refusal) = await harness.Requests.DeleteAsync(workspaceId, "acme", "member@acme.test", stop);
            refusal.ShouldBeNull();
            await harness.Engine.RunAsync(workspaceId, stop);
        }

        return workspaceId;
    }

    private static async Task RetryAllAsync(ProvisioningHarness harness, List<Outcome> outcomes)
    {
        await harness.Simulator.ClearFaultsAsync(CancellationToken.None);
        foreach (var outcome in outcomes)
        {
            var retry = await harness.Requests.RetryAsync(outcome.WorkspaceId, "acme", "member@acme.test", CancellationToken.None);
            retry.Accepted.ShouldBeTrue(outcome.Name);
            await harness.RunAsync(outcome.WorkspaceId);
            outcome.AfterRetry = await EndOfAsync(harness, outcome.WorkspaceId);
            outcome.AfterRetry.Status.ShouldBe(WorkspaceStatus.Ready, outcome.Name);
        }
    }

    private static void AssertSameAsReference(List<Outcome> outcomes)
    {
        var reference = outcomes[0];
        foreach (var outcome in outcomes.Skip(1))
        {
            var what = $"stopped after commit {outcome.Commit}";
            outcome.End.Status.ShouldBe(reference.End.Status, what);
            outcome.End.ErrorCode.ShouldBe(reference.End.ErrorCode, what);
            outcome.End.Steps.ShouldBe(reference.End.Steps, what);
            outcome.End.Resources.ShouldBe(reference.End.Resources, what);
            outcome.End.Inventory.ShouldBe(reference.End.Inventory, what);
            outcome.End.Emails.ShouldBe(reference.End.Emails, what);
            // Every event but step.started in the same order: each outcome once, no step after the failed one,
            // the attempt ending once. A step running at the stop is started again, and only that.
            outcome.End.Timeline.ShouldBe(reference.End.Timeline, what);
            outcome.End.Restarts.ShouldBeEmpty(what);
            outcome.AfterRetry?.Resources.ShouldBe(reference.AfterRetry!.Resources, what);
            outcome.AfterRetry?.Inventory.ShouldBe(reference.AfterRetry!.Inventory, what);
        }
    }

    private static async Task<StoryEnd> EndOfAsync(ProvisioningHarness harness, Guid workspaceId)
    {
        var workspace = await harness.LoadAsync(workspaceId);
        var events = await harness.EventsAsync(workspaceId);
        var resources = await harness.ResourcesAsync(workspaceId);
        var inventory = await harness.ActiveInventoryAsync(workspaceId);
        var emails = (await harness.OutboxAsync()).Where(m => m.WorkspaceId == workspaceId).Select(m => $"{m.Recipient} {m.Template}").Order().ToList();
        var timeline = events.Where(e => e.Type != WorkspaceEventTypes.StepStarted).Select(e => $"{e.Type} {StepOf(e)}".TrimEnd()).ToList();
        return new StoryEnd(
            workspace.Status,
            workspace.ErrorCode,
            [.. workspace.Steps.OrderBy(s => s.Order).Select(s => $"{s.Name} {s.Status}")],
            [.. resources.Select(r => $"{r.Step} {r.Kind} {r.State}").Order()],
            [.. inventory.Select(r => r.Kind).Order()],
            emails,
            timeline,
            StartsAfterTheyShouldNot(events));
    }

    /// <summary>A step started after it succeeded, or after a step failed, within one attempt: never allowed.</summary>
    private static List<string> StartsAfterTheyShouldNot(IReadOnlyList<WorkspaceEvent> events)
    {
        var wrong = new List<string>();
        foreach (var attempt in events.GroupBy(e => e.CorrelationId))
        {
            var succeeded = new HashSet<string>();
            var failed = false;
            foreach (var e in attempt)
            {
                var step = StepOf(e);
                switch (e.Type)
                {
                    case WorkspaceEventTypes.StepStarted when failed || succeeded.Contains(step!):
                        wrong.Add($"{step} started again at event {e.Sequence}");
                        break;
                    case WorkspaceEventTypes.StepSucceeded:
                        succeeded.Add(step!);
                        break;
                    case WorkspaceEventTypes.StepFailed:
                        failed = true;
                        break;
                }
            }
        }

        return wrong;
    }

    private static string? StepOf(WorkspaceEvent e) =>
        JsonDocument.Parse(e.Payload).RootElement.TryGetProperty("step", out var step) && step.ValueKind == JsonValueKind.String ? step.GetString() : null;

    private sealed record StoryEnd(
        WorkspaceStatus Status, string? ErrorCode, List<string> Steps, List<string> Resources, List<string> Inventory,
        List<string> Emails, List<string> Timeline, List<string> Restarts);

    private sealed record Outcome(int Commit, string Name, Guid WorkspaceId, StoryEnd End)
    {
        public StoryEnd? AfterRetry { get; set; }
    }
}

public sealed class ProvisioningEngineResumeTestsOnSqlite() : ProvisioningEngineResumeTests(DatabaseProvider.Sqlite);

public sealed class ProvisioningEngineResumeTestsOnPostgres() : ProvisioningEngineResumeTests(DatabaseProvider.Postgres);
