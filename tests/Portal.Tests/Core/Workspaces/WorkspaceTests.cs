using Provisioning.Core.Errors;
using Provisioning.Core.Steps;
using Provisioning.Core.Workspaces;

namespace Portal.Tests.Core.Workspaces;

/// <summary>The status rule: status never disagrees with the attempts and steps.</summary>
public sealed class WorkspaceTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void EveryTransitionOfAnAttempt_KeepsStatusConsistent()
    {
        var workspace = New();
        workspace.EnsureConsistent();
        foreach (var step in ProvisioningPlans.Vm.Take(2))
        {
            workspace.StartStep(step, Now);
            workspace.EnsureConsistent();
            workspace.CompleteStep(step, Now);
            workspace.EnsureConsistent();
        }

        var error = new ProvisioningError(ErrorCatalogue.ToolsTimeout, "no answer");
        workspace.StartStep("configure_network", Now);
        workspace.FailStep("configure_network", error, Now);
        workspace.EnsureConsistent();
        workspace.FailAttempt("configure_network", error, Now);
        workspace.EnsureConsistent();
        workspace.Status.ShouldBe(WorkspaceStatus.Error);

        workspace.StartAttempt(AttemptTrigger.Retry, "member", Now);
        workspace.EnsureConsistent();
        workspace.Status.ShouldBe(WorkspaceStatus.Provisioning);
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
    public void Failing_WhenAnotherStepHasFailed_IsRefused()
    {
        var workspace = New();
        var error = new ProvisioningError(ErrorCatalogue.Unknown, "x");
        workspace.FailStep("validate_request", error, Now);
        workspace.FailStep("clone_vm", error, Now);

        Should.Throw<InvalidOperationException>(workspace.EnsureConsistent).Message.ShouldContain("more than one failed step");
    }

    private static Workspace New() =>
        Workspace.Request("acme", "member", "ws", "ubuntu-vm@24.04", new WorkspaceSize(1, 1), ProvisioningPlans.Vm, Now);
}
