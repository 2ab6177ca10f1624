using Provisioning.Core.Infrastructure;

namespace Provisioning.Core.Steps.Vm;

/// <summary>Clones the release's source into a VM of the requested size; the partial VM is destroyed on failure.</summary>
public sealed class CloneVmStep(ICompute compute) : IProvisioningStep
{
    public string Name => StepNames.CloneVm;

    public ResourcePolicy OnFailure => ResourcePolicy.Release;

    public IReadOnlyList<IInfrastructurePort> Infrastructure => [compute];

    public IReadOnlyList<PlannedResource> Resources(StepContext context) => [new("vm", context.ResourceName("vm"))];

    public Task ExecuteAsync(StepContext context) =>
        compute.CreateVmAsync(context.WorkspaceId, context.ResourceName("vm"), context.Release.Source, context.Cpu, context.MemoryGb, context.CancellationToken);

    public Task CompensateAsync(StepContext context) => compute.DestroyVmAsync(context.ResourceName("vm"), context.CancellationToken);
}
