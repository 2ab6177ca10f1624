using Provisioning.Core.Simulator;

namespace Provisioning.Core.Steps.Vm;

/// <summary>Powers the VM on; its guest tools answer after the simulator's readiness delay.</summary>
public sealed class PowerOnStep(SimulatedInfrastructure infrastructure) : IProvisioningStep
{
    public string Name => StepNames.PowerOn;

    public ResourcePolicy OnFailure => ResourcePolicy.Release;

    public Task ExecuteAsync(StepContext context) =>
        infrastructure.PowerOnAsync(context.ResourceName("vm"), becomesReady: true, context.CancellationToken);

    // Deleting the VM (clone_vm's compensation) powers it off.
    public Task CompensateAsync(StepContext context) => Task.CompletedTask;
}
