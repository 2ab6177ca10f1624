using Bunit;
using Portal.Features.Workspaces;
using Portal.Tests.TestInfrastructure;
using Provisioning.Core.Workspaces;
using static Portal.Tests.TestInfrastructure.WorkspaceViews;

namespace Portal.Tests.Portal.Components.Workspaces;

public sealed class WorkspaceTimelineTests
{
    private const string ReleaseMessage = "The release artifact is not available. An administrator has been notified; retry once it is published.";

    /// <summary>A failed first attempt, a refused retry, then a retry that resumes and succeeds (given out of order).</summary>
    private static readonly EventView[] Story =
    [
        Event(11, WorkspaceEventTypes.Succeeded, new { attempt = 2, trigger = "retry" }),
        Event(1, WorkspaceEventTypes.Requested, new { name = "billing", release_id = "demo-app@2.0.0", cpu = 2, memory_gb = 4 }, "member@acme.test"),
        Event(2, WorkspaceEventTypes.AttemptStarted, new { attempt = 1, trigger = "create", resume_from = "fetch_release" }, "member@acme.test"),
        Event(3, WorkspaceEventTypes.StepStarted, new { step = "fetch_release", retry_count = 0 }),
        Event(4, WorkspaceEventTypes.StepFailed, new { step = "fetch_release", error_code = "release_unavailable", error_message = ReleaseMessage, retry_count = 0 }),
        Event(5, WorkspaceEventTypes.ResourceReleased, new { step = "fetch_release", resources = new[] { new { kind = "artifact", external_id = "a" } } }),
        Event(6, WorkspaceEventTypes.Failed, new { error_code = "release_unavailable", error_message = ReleaseMessage, step = "fetch_release", attempt = 1, retry_count = 0 }),
        Event(7, WorkspaceEventTypes.RetryRejected, new { error_code = "release_unavailable", error_message = ReleaseMessage }, "member@acme.test"),
        Event(8, WorkspaceEventTypes.AttemptStarted, new { attempt = 2, trigger = "retry", resume_from = "fetch_release" }, "member@acme.test"),
        Event(9, WorkspaceEventTypes.StepStarted, new { step = "fetch_release", retry_count = 0 }),
        Event(10, WorkspaceEventTypes.StepSucceeded, new { step = "fetch_release", retry_count = 0, duration_ms = 1250 }),
    ];

    [Fact]
    public async Task Render_FailureEvents_AreRed_AndTheRestAreNot()
    {
        await using var ctx = BunitPortal.Create();

        var timeline = ctx.Render<WorkspaceTimeline>(p => p.Add(t => t.Events, Story));

        var failures = timeline.FindAll("li[data-tone=failure]");
        failures.Select(f => f.GetAttribute("data-type")).ShouldBe(
            [WorkspaceEventTypes.StepFailed, WorkspaceEventTypes.Failed, WorkspaceEventTypes.RetryRejected]);
        foreach (var failure in failures)
        {
            failure.ClassList.ShouldContain("timeline-failure");
            failure.QuerySelector(".workspace-timeline-sentence")!.ClassList.ShouldContain("mud-error-text");
            failure.QuerySelector(".workspace-timeline-icon")!.ClassList.ShouldContain("mud-error-text");
            failure.QuerySelector(".visually-hidden")!.TextContent.ShouldBe("Failure: ");
        }

        foreach (var other in timeline.FindAll("li:not([data-tone=failure])"))
        {
            other.ClassList.ShouldNotContain("timeline-failure");
            other.QuerySelector(".workspace-timeline-sentence")!.ClassList.ShouldNotContain("mud-error-text");
        }
    }

    [Fact]
    public async Task Render_IsOldestFirst_OneSentencePerEvent_WithRetriesAndCompensationVisible()
    {
        await using var ctx = BunitPortal.Create();

        var timeline = ctx.Render<WorkspaceTimeline>(p => p.Add(t => t.Events, Story));

        var sentences = timeline.FindAll(".workspace-timeline-sentence").Select(s => s.TextContent.Replace("Failure: ", "").Trim()).ToList();
        sentences.ShouldBe(
        [
            "member@acme.test requested the workspace: demo-app@2.0.0, 2 CPU, 4 GB memory.",
            "Provisioning started (run 1).",
            $"Fetch release failed: {ReleaseMessage} (release_unavailable)",
            "Cleaned up what Fetch release had created (artifact).",
            $"Provisioning failed at Fetch release: {ReleaseMessage} (release_unavailable)",
            $"member@acme.test pressed Retry, but it could not start: {ReleaseMessage} (release_unavailable)",
            "member@acme.test pressed Retry: run 2 started, resuming at Fetch release.",
            "Fetch release finished in 1 s.",
            "The workspace is ready (run 2).",
        ]);
        timeline.FindAll("li[data-tone=cleanup]").Count.ShouldBe(1);
        timeline.FindAll("li time").First().TextContent.ShouldBe("2026-11-28 09:00:01 UTC");
    }

    [Fact]
    public async Task Render_AnAutomaticRetry_SaysWhenAndWhichAttempt_AndARunningStepShowsAsStarted()
    {
        await using var ctx = BunitPortal.Create();
        EventView[] events =
        [
            Event(1, WorkspaceEventTypes.StepStarted, new { step = "clone_vm", retry_count = 0 }),
            Event(2, WorkspaceEventTypes.StepRetryScheduled, new
            {
                step = "clone_vm", error_code = "connection_timeout", error_message = "Temporary connection issue. We will retry automatically.",
                attempt = 2, max_attempts = 5, delay_seconds = 10.0,
            }),
            Event(3, WorkspaceEventTypes.CompensationFailed, new { step = "clone_vm", resources = new[] { new { kind = "vm", external_id = "vm-1" } } }),
        ];

        var timeline = ctx.Render<WorkspaceTimeline>(p => p.Add(t => t.Events, events));

        var items = timeline.FindAll("li");
        items[0].TextContent.ShouldContain("Clone VM started.");
        items[1].GetAttribute("data-tone").ShouldBe("warning");
        items[1].TextContent.ShouldContain(
            "Clone VM hit a temporary problem: Temporary connection issue. We will retry automatically. (connection_timeout). Next try in 10 s (try 2 of 5).");
        items[2].GetAttribute("data-tone").ShouldBe("failure");
        items[2].TextContent.ShouldContain("Could not clean up what Clone VM had created (vm).");
    }

    [Fact]
    public async Task Render_NoEvents_SaysSo()
    {
        await using var ctx = BunitPortal.Create();

        var timeline = ctx.Render<WorkspaceTimeline>(p => p.Add(t => t.Events, []));

        timeline.Markup.ShouldContain("Nothing has happened yet.");
    }

    [Fact]
    public async Task Render_WhenThePortalGaveUp_SaysSoInRed_ForAnAttemptAndForADeletion()
    {
        await using var ctx = BunitPortal.Create();
        const string message = "Something went wrong on our side. IT has been notified; you can retry.";
        EventView[] gaveUp =
        [
            Event(1, WorkspaceEventTypes.Failed, new { error_code = "internal_error", error_message = message, step = (string?)null, attempt = 1, retry_count = 0 }),
            Event(2, WorkspaceEventTypes.DeprovisioningStarted, new { }, "member@acme.test"),
            Event(3, WorkspaceEventTypes.DeprovisioningFailed, new { error_code = "internal_error", error_message = message }),
        ];

        var timeline = ctx.Render<WorkspaceTimeline>(p => p.Add(t => t.Events, gaveUp));

        var failures = timeline.FindAll("li[data-tone=failure] .workspace-timeline-sentence").Select(f => f.TextContent.Trim()).ToList();
        failures.ShouldBe([$"Failure: Provisioning failed: {message} (internal_error)", $"Failure: The deletion could not finish: {message} (internal_error)"]);
    }
}
