using Bunit;
using Microsoft.AspNetCore.Components.Web;
using Portal.Features.Workspaces;
using Portal.Tests.TestInfrastructure;
using Provisioning.Core.Errors;
using Provisioning.Core.Workspaces;
using static Portal.Tests.TestInfrastructure.WorkspaceViews;

namespace Portal.Tests.Portal.Components.Workspaces;

public sealed class WorkspaceErrorAlertTests
{
    private static readonly WorkspaceDetail Failed = Detail(WorkspaceStatus.Error, ErrorCatalogue.ReleaseUnavailable,
        ErrorCatalogue.Get(ErrorCatalogue.ReleaseUnavailable).UserMessage,
        Step("fetch_release", StepStatus.Failed, T0, T0.AddSeconds(1), errorCode: ErrorCatalogue.ReleaseUnavailable));

    private static RetryResult Refused(RetryRefusal refusal, ProvisioningError? error = null) => new(null, refusal, error);

    [Fact]
    public async Task InError_ShowsTheUserMessageAndCode_AndAnEnabledRetry()
    {
        await using var ctx = BunitPortal.Create();

        var alert = ctx.Render<WorkspaceErrorAlert>(p => p.Add(a => a.Workspace, Failed).Add(a => a.OnRetry, () => Task.FromResult(RetryMessages.Explain(Refused(RetryRefusal.NotFound)))));

        alert.Find("[data-testid=error-alert]").ClassList.ShouldContain("mud-alert-outlined-error");
        alert.Find("[data-testid=error-message]").TextContent.ShouldBe(
            "The release artifact is not available. An administrator has been notified; retry once it is published.");
        alert.Find("[data-testid=error-code] code").TextContent.ShouldBe("release_unavailable");
        var retry = alert.Find("#retry-button");
        retry.HasAttribute("disabled").ShouldBeFalse();
        retry.GetAttribute("aria-busy").ShouldBe("false");
        retry.TextContent.Trim().ShouldBe("Retry");
    }

    [Theory]
    [InlineData(WorkspaceStatus.Provisioning)]
    [InlineData(WorkspaceStatus.Ready)]
    [InlineData(WorkspaceStatus.Deprovisioning)]
    [InlineData(WorkspaceStatus.Deleted)]
    public async Task NotInError_ShowsNoAlertAndNoRetry(WorkspaceStatus status)
    {
        await using var ctx = BunitPortal.Create();

        var alert = ctx.Render<WorkspaceErrorAlert>(p => p
            .Add(a => a.Workspace, Failed with { Status = status })
            .Add(a => a.OnRetry, () => Task.FromResult(RetryMessages.Explain(Refused(RetryRefusal.NotInError)))));

        alert.FindAll("#retry-button").ShouldBeEmpty();
        alert.FindAll("[data-testid=error-alert]").ShouldBeEmpty();
    }

    [Fact]
    public async Task Click_GoesIntoLoadingAtOnce_AndASecondClickWhilePendingDoesNotRetryAgain()
    {
        await using var ctx = BunitPortal.Create();
        var answer = new TaskCompletionSource<string?>();
        var calls = 0;
        var alert = ctx.Render<WorkspaceErrorAlert>(p => p
            .Add(a => a.Workspace, Failed)
            .Add(a => a.OnRetry, () => { calls++; return answer.Task; }));

        alert.Find("#retry-button").Click();

        var pressed = alert.Find("#retry-button");
        pressed.HasAttribute("disabled").ShouldBeTrue();
        pressed.GetAttribute("aria-busy").ShouldBe("true");
        pressed.TextContent.ShouldContain("Retrying…");
        pressed.QuerySelector(".mud-progress-circular").ShouldNotBeNull();
        alert.Find("#retry-button").Click();
        alert.Find("#retry-button").Click();
        calls.ShouldBe(1);

        answer.SetResult(RetryMessages.InProgress);
        alert.WaitForAssertion(() => alert.Find("#retry-button").HasAttribute("disabled").ShouldBeFalse());
        alert.Find("#retry-button").TextContent.Trim().ShouldBe("Retry");
    }

    [Fact]
    public async Task TheGuard_HoldsEvenIfTheHandlerIsCalledTwiceBeforeTheFirstAwaitEnds()
    {
        await using var ctx = BunitPortal.Create();
        var answer = new TaskCompletionSource<string?>();
        var calls = 0;
        var alert = ctx.Render<WorkspaceErrorAlert>(p => p
            .Add(a => a.Workspace, Failed)
            .Add(a => a.OnRetry, () => { calls++; return answer.Task; }));
        var button = alert.Find("#retry-button");

        // Two clicks on the button as first rendered, the second sent before the first's answer is in: what a
        // double click does on a circuit, where both reach the server before the disabled button reaches the browser.
        var first = button.ClickAsync(new MouseEventArgs());
        var second = button.ClickAsync(new MouseEventArgs());
        answer.SetResult(RetryMessages.InProgress);
        await Task.WhenAll(first, second);

        calls.ShouldBe(1);
    }

    [Fact]
    public async Task TheSecondClickOfADoubleClick_AfterAQuickRefusal_DoesNotRetryAgain_AndTheFocusIsBackOnRetry()
    {
        await using var ctx = BunitPortal.Create();
        var calls = 0;
        var alert = ctx.Render<WorkspaceErrorAlert>(p => p
            .Add(a => a.Workspace, Failed)
            .Add(a => a.OnRetry, () => { calls++; return Task.FromResult(RetryMessages.Explain(Refused(RetryRefusal.ReleaseUnavailable,
                new ProvisioningError(ErrorCatalogue.ReleaseUnavailable, "still missing")))); }));

        // The refusal is in before the second click of the double click reaches the circuit (issue 22, point 10).
        await alert.Find("#retry-button").ClickAsync(new MouseEventArgs { Detail = 1 });
        alert.WaitForElement("[data-testid=retry-refusal]");
        await alert.Find("#retry-button").ClickAsync(new MouseEventArgs { Detail = 2 });

        calls.ShouldBe(1);
        // Disabled while in flight, the button lost the focus; it gets it back with the refusal.
        ctx.JSInterop.VerifyFocusAsyncInvoke();
    }

    [Fact]
    public async Task FurtherActions_ComeAfterRetry_SoRetryIsTheFirstTabStop()
    {
        await using var ctx = BunitPortal.Create();

        var alert = ctx.Render<WorkspaceErrorAlert>(p => p
            .Add(a => a.Workspace, Failed)
            .Add(a => a.OnRetry, () => Task.FromResult<string?>(null))
            .Add(a => a.Actions, "<button type=\"button\" id=\"delete-workspace\">Delete</button>"));

        alert.FindAll("button").Select(b => b.Id).ShouldBe(["retry-button", "delete-workspace"]);
    }

    [Fact]
    public async Task CapacityReached_OffersARetryWithADifferentSize_CheckedInPlace()
    {
        await using var ctx = BunitPortal.Create();
        var full = Detail(WorkspaceStatus.Error, ErrorCatalogue.InsufficientResources, ErrorCatalogue.Get(ErrorCatalogue.InsufficientResources).UserMessage,
            Step("clone_vm", StepStatus.Failed, T0, T0.AddSeconds(1), errorCode: ErrorCatalogue.InsufficientResources)) with { Size = new SizeView(4, 16) };
        var asked = new List<WorkspaceSize>();
        var alert = ctx.Render<WorkspaceErrorAlert>(p => p
            .Add(a => a.Workspace, full)
            .Add(a => a.OnRetry, () => Task.FromResult<string?>(null))
            .Add(a => a.OnRetryWithSize, size => { asked.Add(size); return Task.FromResult<string?>(null); }));

        alert.Find("#retry-resize-open").Click();
        alert.Find("#retry-resize-cpu").GetAttribute("value").ShouldBe("4");
        alert.Find("#retry-resize-memory").GetAttribute("value").ShouldBe("16");

        alert.Find("#retry-resize-cpu").Change("0");
        alert.Find("#retry-resize-form").Submit();
        alert.WaitForAssertion(() => alert.Markup.ShouldContain("CPU must be between"));
        asked.ShouldBeEmpty();

        alert.Find("#retry-resize-cpu").Change("2");
        alert.Find("#retry-resize-memory").Change("8");
        alert.Find("#retry-resize-form").Submit();
        alert.WaitForAssertion(() => asked.ShouldBe([new WorkspaceSize(2, 8)]));
    }

    [Fact]
    public async Task AFailureTheSizeCannotFix_OffersNoResize()
    {
        await using var ctx = BunitPortal.Create();

        var alert = ctx.Render<WorkspaceErrorAlert>(p => p
            .Add(a => a.Workspace, Failed)
            .Add(a => a.OnRetry, () => Task.FromResult<string?>(null))
            .Add(a => a.OnRetryWithSize, _ => Task.FromResult<string?>(null)));

        alert.FindAll("#retry-resize-open").ShouldBeEmpty();
    }

    [Fact]
    public async Task RefusedBecauseTheReleaseIsStillMissing_IsExplainedInPlace()
    {
        await using var ctx = BunitPortal.Create();
        var unavailable = new ProvisioningError(ErrorCatalogue.ReleaseUnavailable, "Artifact missing at releases/demo-app-2.0.0.json.");
        var alert = ctx.Render<WorkspaceErrorAlert>(p => p
            .Add(a => a.Workspace, Failed)
            .Add(a => a.OnRetry, () => Task.FromResult(RetryMessages.Explain(Refused(RetryRefusal.ReleaseUnavailable, unavailable)))));

        alert.Find("#retry-button").Click();

        var refusal = alert.WaitForElement("[data-testid=retry-refusal]");
        refusal.GetAttribute("role").ShouldBe("alert");
        refusal.TextContent.ShouldBe(
            "The release is still unavailable. The release artifact is not available. An administrator has been notified; retry once it is published.");
        // Inside the red alert, next to a Retry that can be pressed again.
        alert.Find("[data-testid=error-alert] [data-testid=retry-refusal]").ShouldNotBeNull();
        alert.Find("#retry-button").HasAttribute("disabled").ShouldBeFalse();
        refusal.TextContent.ShouldNotContain("Artifact missing", customMessage: "technical detail is for admins");
    }

    [Fact]
    public async Task RefusedBecauseAnotherRetryWon_SaysItIsAlreadyBeingProvisioned_EvenOnceTheWorkspaceIsProvisioning()
    {
        await using var ctx = BunitPortal.Create();
        var alert = ctx.Render<WorkspaceErrorAlert>(p => p
            .Add(a => a.Workspace, Failed)
            .Add(a => a.OnRetry, () => Task.FromResult(RetryMessages.Explain(Refused(RetryRefusal.ProvisioningInProgress)))));

        alert.Find("#retry-button").Click();
        alert.Render(p => p.Add(a => a.Workspace, Failed with { Status = WorkspaceStatus.Provisioning }));

        alert.Find("[data-testid=retry-refusal]").TextContent.ShouldBe("The workspace is already being provisioned.");
        alert.FindAll("#retry-button").ShouldBeEmpty();

        // Once it is ready, the refusal no longer applies.
        alert.Render(p => p.Add(a => a.Workspace, Failed with { Status = WorkspaceStatus.Ready }));
        alert.FindAll("[data-testid=retry-refusal]").ShouldBeEmpty();
    }

    [Fact]
    public async Task AnAcceptedRetry_ClearsTheEarlierRefusal()
    {
        await using var ctx = BunitPortal.Create();
        var answers = new Queue<RetryResult>([
            Refused(RetryRefusal.ReleaseUnavailable),
            new RetryResult(new ProvisioningAttempt(Failed.WorkspaceId, 2, AttemptTrigger.Retry, "member@acme.test", T0), null),
        ]);
        var alert = ctx.Render<WorkspaceErrorAlert>(p => p
            .Add(a => a.Workspace, Failed)
            .Add(a => a.OnRetry, () => Task.FromResult(RetryMessages.Explain(answers.Dequeue()))));
        alert.Find("#retry-button").Click();
        alert.Find("[data-testid=retry-refusal]").TextContent.ShouldBe("The release is still unavailable.");

        alert.Find("#retry-button").Click();

        alert.FindAll("[data-testid=retry-refusal]").ShouldBeEmpty();
    }

    [Theory]
    [InlineData(RetryRefusal.ProvisioningInProgress, "The workspace is already being provisioned.")]
    [InlineData(RetryRefusal.NotInError, "Only a workspace in error can be retried.")]
    [InlineData(RetryRefusal.NotFound, "The workspace no longer exists.")]
    [InlineData(RetryRefusal.ReleaseUnavailable, "The release is still unavailable.")]
    public void Explain_SaysWhyARetryWasRefused(RetryRefusal refusal, string expected) =>
        RetryMessages.Explain(Refused(refusal)).ShouldBe(expected);
}
