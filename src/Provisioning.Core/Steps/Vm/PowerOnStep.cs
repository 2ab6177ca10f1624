using Provisioning.Core.Infrastructure;

namespace Provisioning.Core.Steps.Vm;

/// <summary>Powers the VM on; its guest answers once it is up (wait_for_guest_tools waits for that).</summary>
public sealed class PowerOnStep(ICompute compute) : IProvisioningStep
{
    public string Name => StepNames.PowerOn;

    public ResourcePolicy OnFailure => ResourcePolicy.Release;

    public IReadOnlyList<IInfrastructurePort> Infrastructure => [compute];

    public Task ExecuteAsync(StepContext context) =>
        compute.PowerOnAsync(context.ResourceName("vm"), context.CancellationToken);

    // Destroying the VM (clone_vm's compensation) powers it off.
    public Task CompensateAsync(StepContext context) => Task.CompletedTask;
}
