using Provisioning.Core.Simulator;

namespace Provisioning.Core.Steps.Vm;

/// <summary>Clones the release's template into a VM of the requested size; the partial VM is deleted on failure.</summary>
public sealed class CloneVmStep(SimulatedInfrastructure infrastructure) : IProvisioningStep
{
    public string Name => StepNames.CloneVm;

    public ResourcePolicy OnFailure => ResourcePolicy.Release;

    public IReadOnlyList<PlannedResource> Resources(StepContext context) => [new("vm", context.ResourceName("vm"))];

    public Task ExecuteAsync(StepContext context) =>
        infrastructure.CreateAsync(context.WorkspaceId, context.ResourceName("vm"), "vm", context.Cpu, context.MemoryGb, context.CancellationToken);

    public Task CompensateAsync(StepContext context) => infrastructure.DeleteAsync(context.ResourceName("vm"), context.CancellationToken);
}
