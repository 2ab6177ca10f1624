using Provisioning.Core.Templates;
using Provisioning.Core.Errors;
using Provisioning.Core.Steps;
using Provisioning.Core.Workspaces;

namespace Portal.Tests.Core.Workspaces;

/// <summary>The status rule: status never disagrees with the attempts and steps, and an attempt's phase says what may happen next.</summary>
public sealed class WorkspaceTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 9, 0, 0, TimeSpan.Zero);
    private static readonly ProvisioningError ToolsTimeout = new(ErrorCatalogue.ToolsTimeout, "no answer");

    [Fact]
    public void EveryTransitionOfAnAttempt_KeepsStatusConsistent()
    {
        var workspace = New();
        workspace.EnsureConsistent();
        foreach (var step in TemplateCatalog.BuiltInPlan("vm").Take(2))
        {
            workspace.StartStep(step, Now);
            workspace.EnsureConsistent();
            workspace.CompleteStep(step, Now);
            workspace.EnsureConsistent();
        }

        workspace.StartStep("configure_network", Now);
        workspace.FailStep("configure_network", ToolsTimeout, Now);
        workspace.EnsureConsistent();
        workspace.Status.ShouldBe(WorkspaceStatus.Provisioning);
        workspace.ActiveAttempt!.Phase.ShouldBe(AttemptPhase.Compensating);
        workspace.ActiveAttempt.CompensatingStep.ShouldBe("configure_network");

        workspace.RevertStep("configure_network", [], Now);
        workspace.EnsureConsistent();
        workspace.ActiveAttempt.CompensatingStep.ShouldBe("clone_vm");
        workspace.SkipCompensation("clone_vm");
        workspace.SkipCompensation("validate_request");
        workspace.ActiveAttempt.CompensatingStep.ShouldBeNull();
        workspace.FailAttempt(Now);
        workspace.EnsureConsistent();
        workspace.Status.ShouldBe(WorkspaceStatus.Error);
        workspace.ErrorCode.ShouldBe(ErrorCatalogue.ToolsTimeout);
        workspace.ErrorTechnicalDetail.ShouldBe("no answer");
        workspace.LatestAttempt!.Phase.ShouldBe(AttemptPhase.Failed);
        workspace.LatestAttempt.Outcome.ShouldBe(AttemptOutcome.Failed);

        workspace.StartAttempt(AttemptTrigger.Retry, "member", Now);
        workspace.EnsureConsistent();
        workspace.Status.ShouldBe(WorkspaceStatus.Provisioning);
        workspace.ActiveAttempt!.Phase.ShouldBe(AttemptPhase.Running);
        workspace.Step("configure_network").Status.ShouldBe(StepStatus.Pending);
        workspace.Step("clone_vm").Status.ShouldBe(StepStatus.Success);
        workspace.ErrorCode.ShouldBeNull();
    }

    [Fact]
    public void CompletingAnAttempt_WithUnfinishedSteps_IsRefused()
    {
        var workspace = New();

        Should.Throw<InvalidOperationException>(() =>
        {
            workspace.CompleteAttempt(Now);
            workspace.EnsureConsistent();
        }).Message.ShouldContain("ready with unfinished steps");
    }

    [Fact]
    public void Retry_WhenNotInError_IsRefused()
    {
        var workspace = New();

        Should.Throw<InvalidOperationException>(() => workspace.StartAttempt(AttemptTrigger.Retry, "member", Now));
        workspace.Attempts.Count.ShouldBe(1);
    }

    [Fact]
    public void OnceAStepFailed_NoStepStartsOrFailsAgainInThatAttempt()
    {
        var workspace = New();
        workspace.StartStep("validate_request", Now);
        workspace.FailStep("validate_request", ToolsTimeout, Now);

        Should.Throw<InvalidOperationException>(() => workspace.StartStep("validate_request", Now)).Message.ShouldContain("Compensating, not Running");
        Should.Throw<InvalidOperationException>(() => workspace.StartStep("clone_vm", Now)).Message.ShouldContain("Compensating, not Running");
        Should.Throw<InvalidOperationException>(() => workspace.FailStep("clone_vm", ToolsTimeout, Now));
        Should.Throw<InvalidOperationException>(() => workspace.CompleteAttempt(Now));
        workspace.EnsureConsistent();
    }

    [Fact]
    public void Compensation_GoesBackOneStepAtATime_AndTheAttemptFailsOnlyOnceItIsDone()
    {
        var workspace = New();
        workspace.StartStep("validate_request", Now);
        workspace.CompleteStep("validate_request", Now);
        workspace.StartStep("clone_vm", Now);
        workspace.FailStep("clone_vm", ToolsTimeout, Now);

        Should.Throw<InvalidOperationException>(() => workspace.FailAttempt(Now)).Message.ShouldContain("at step 'clone_vm'");
        Should.Throw<InvalidOperationException>(() => workspace.RevertStep("validate_request", [], Now)).Message.ShouldContain("not 'validate_request'");
        workspace.RevertStep("clone_vm", [], Now);
        Should.Throw<InvalidOperationException>(() => workspace.RevertStep("clone_vm", [], Now)).Message.ShouldContain("at step 'validate_request'");
        workspace.RevertStep("validate_request", [], Now);
        workspace.FailAttempt(Now);

        workspace.Step("validate_request").Status.ShouldBe(StepStatus.Pending);
        workspace.Step("clone_vm").Status.ShouldBe(StepStatus.Failed);
        workspace.EnsureConsistent();
    }

    [Fact]
    public void Abandoning_AnAttemptWherever_ItStands_EndsInErrorWithInternalError()
    {
        var workspace = New();
        workspace.StartStep("validate_request", Now);
        var internalError = new ProvisioningError(ErrorCatalogue.InternalError, "InvalidOperationException: broken");

        workspace.Abandon(internalError, Now);

        workspace.EnsureConsistent();
        workspace.Status.ShouldBe(WorkspaceStatus.Error);
        workspace.ErrorCode.ShouldBe(ErrorCatalogue.InternalError);
        workspace.ErrorDetail.ShouldBe(ErrorCatalogue.Get(ErrorCatalogue.InternalError).UserMessage);
        workspace.Step("validate_request").Status.ShouldBe(StepStatus.Pending);
        workspace.LatestAttempt!.Phase.ShouldBe(AttemptPhase.Failed);
        workspace.LatestAttempt.ErrorCode.ShouldBe(ErrorCatalogue.InternalError);

        workspace.StartAttempt(AttemptTrigger.Retry, "member", Now);
        workspace.EnsureConsistent();
    }

    [Fact]
    public void Error_WithoutAFailedStep_IsOnlyForInternalError()
    {
        var workspace = New();
        workspace.Abandon(new ProvisioningError(ErrorCatalogue.InternalError, "x"), Now);
        workspace.EnsureConsistent();

        // The same state with an error the infrastructure raised would name no step: refused.
        typeof(Workspace).GetProperty(nameof(Workspace.ErrorCode))!.SetValue(workspace, ErrorCatalogue.ToolsTimeout);
        Should.Throw<InvalidOperationException>(workspace.EnsureConsistent).Message.ShouldContain("error without exactly one failed step");
    }

    private static Workspace New() =>
        Workspace.Request("acme", "member", "ws", "ubuntu-vm@24.04", new WorkspaceSize(1, 1), TemplateCatalog.BuiltInPlan("vm"), Now);
}
