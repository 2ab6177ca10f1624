using Bunit;
using Microsoft.Extensions.Time.Testing;
using Portal.Features.Workspaces;
using Portal.Tests.TestInfrastructure;
using Provisioning.Core.Workspaces;
using static Portal.Tests.TestInfrastructure.WorkspaceViews;

namespace Portal.Tests.Portal.Components.Workspaces;

public sealed class WorkspaceStepperTests
{
    private static readonly Func<string, int> FiveAttempts = _ => 5;

    [Fact]
    public async Task Render_EveryStepState_ShowsItsStateIconDurationAndRetries()
    {
        var time = new FakeTimeProvider(T0.AddMinutes(1));
        await using var ctx = BunitPortal.Create(time);
        StepView[] steps =
        [
            Step("fetch_release", StepStatus.Success, T0, T0.AddMilliseconds(850)),
            Step("create_tenant_database", StepStatus.Skipped),
            Step("create_tenant_schema", StepStatus.Failed, T0.AddSeconds(1), T0.AddSeconds(13), retryCount: 4,
                errorCode: "service_unavailable", errorMessage: "A platform service is temporarily unavailable. We will retry automatically."),
            Step("register_services", StepStatus.Running, T0.AddSeconds(14)),
            Step("generate_api_keys", StepStatus.Pending),
        ];

        var stepper = ctx.Render<WorkspaceStepper>(p => p.Add(s => s.Steps, steps).Add(s => s.MaxAttempts, FiveAttempts));

        var items = stepper.FindAll("li[data-step]");
        items.Select(i => i.GetAttribute("data-status")).ShouldBe(["success", "skipped", "failed", "running", "pending"]);
        items.Select(i => i.QuerySelector(".workspace-step-title")!.TextContent).ShouldBe(
            ["Fetch release", "Create tenant database", "Create tenant schema", "Register services", "Generate API keys"]);
        items.Select(i => i.QuerySelector("[data-testid=step-state]")!.TextContent).ShouldBe(["success", "skipped", "failed", "running", "pending"]);

        // An icon per state: check, skip, cross, spinner, empty circle.
        items[0].QuerySelector(".workspace-step-icon .mud-success-text").ShouldNotBeNull();
        items[2].QuerySelector(".workspace-step-icon .mud-error-text").ShouldNotBeNull();
        items[3].QuerySelector(".workspace-step-icon .mud-progress-circular").ShouldNotBeNull();
        items.Select(i => i.QuerySelector(".workspace-step-icon svg")!.InnerHtml).Distinct().Count().ShouldBe(5);

        items[0].QuerySelector("[data-testid=step-duration]")!.TextContent.ShouldBe("850 ms");
        items[2].QuerySelector("[data-testid=step-duration]")!.TextContent.ShouldBe("12 s");
        items[3].QuerySelector("[data-testid=step-duration]").ShouldBeNull();
        items[2].QuerySelector("[data-testid=step-retries]")!.TextContent.ShouldBe("4 automatic retries");
        items[2].QuerySelector("[data-testid=step-error]")!.TextContent.ShouldContain("A platform service is temporarily unavailable.");
        items[2].QuerySelector("[data-testid=step-error] code")!.TextContent.ShouldBe("service_unavailable");
        stepper.FindAll("[data-testid=retry-countdown]").ShouldBeEmpty();
        stepper.Instance.IsTicking.ShouldBeFalse();
    }

    [Fact]
    public async Task RetryPending_CountsDownEachSecond_WithTheAttemptNumber_ThenStopsTicking()
    {
        var time = new FakeTimeProvider(T0);
        await using var ctx = BunitPortal.Create(time);
        // The first try failed; the second is due in 10 s.
        var steps = new[]
        {
            Step("fetch_release", StepStatus.Success, T0.AddSeconds(-5), T0.AddSeconds(-4)),
            Step("create_tenant_database", StepStatus.Running, T0.AddSeconds(-1), retryCount: 1, nextRetryAt: T0.AddSeconds(10),
                errorCode: "connection_timeout", errorMessage: "Temporary connection issue. We will retry automatically."),
        };

        var stepper = ctx.Render<WorkspaceStepper>(p => p.Add(s => s.Steps, steps).Add(s => s.MaxAttempts, FiveAttempts));

        string Countdown() => stepper.Find("[data-testid=retry-countdown]").TextContent;
        Countdown().ShouldBe("Next try in 10 s (try 2 of 5)");
        stepper.Instance.IsTicking.ShouldBeTrue();

        time.Advance(TimeSpan.FromSeconds(1));
        stepper.WaitForAssertion(() => Countdown().ShouldBe("Next try in 9 s (try 2 of 5)"));
        time.Advance(TimeSpan.FromSeconds(1));
        stepper.WaitForAssertion(() => Countdown().ShouldBe("Next try in 8 s (try 2 of 5)"));

        time.Advance(TimeSpan.FromSeconds(8));
        stepper.WaitForAssertion(() => Countdown().ShouldBe("Trying again now (try 2 of 5)"));
        stepper.Instance.IsTicking.ShouldBeFalse();
        stepper.Find("[data-testid=step-error]").TextContent.ShouldContain("Temporary connection issue.");
    }

    [Fact]
    public async Task RetryPending_WithoutMaxAttempts_ShowsTheAttemptAlone()
    {
        var time = new FakeTimeProvider(T0);
        await using var ctx = BunitPortal.Create(time);
        var steps = new[] { Step("clone_vm", StepStatus.Running, T0, retryCount: 3, nextRetryAt: T0.AddSeconds(79.2)) };

        var stepper = ctx.Render<WorkspaceStepper>(p => p.Add(s => s.Steps, steps));

        stepper.Find("[data-testid=retry-countdown]").TextContent.ShouldBe("Next try in 80 s (try 4)");
    }

    [Fact]
    public async Task NewSteps_WithoutARetryPending_StopTheTimer_AndDisposeStopsItToo()
    {
        var time = new FakeTimeProvider(T0);
        await using var ctx = BunitPortal.Create(time);
        var waiting = new[] { Step("power_on", StepStatus.Running, T0, retryCount: 1, nextRetryAt: T0.AddSeconds(20)) };
        var stepper = ctx.Render<WorkspaceStepper>(p => p.Add(s => s.Steps, waiting).Add(s => s.MaxAttempts, FiveAttempts));
        stepper.Instance.IsTicking.ShouldBeTrue();

        // The live update brings the step's success: no countdown, no timer.
        stepper.Render(p => p.Add(s => s.Steps, [Step("power_on", StepStatus.Success, T0, T0.AddSeconds(21), retryCount: 1)]));

        stepper.FindAll("[data-testid=retry-countdown]").ShouldBeEmpty();
        stepper.Instance.IsTicking.ShouldBeFalse();
        stepper.Find("[data-testid=step-retries]").TextContent.ShouldBe("1 automatic retry");

        stepper.Render(p => p.Add(s => s.Steps, waiting));
        stepper.Instance.IsTicking.ShouldBeTrue();
        stepper.Instance.Dispose();
        stepper.Instance.IsTicking.ShouldBeFalse();
    }
}
