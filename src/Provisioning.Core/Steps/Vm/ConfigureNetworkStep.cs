using Provisioning.Core.Simulator;

namespace Provisioning.Core.Steps.Vm;

/// <summary>Attaches the VM's network adapter.</summary>
public sealed class ConfigureNetworkStep(SimulatedInfrastructure infrastructure) : IProvisioningStep
{
    public string Name => StepNames.ConfigureNetwork;

    public ResourcePolicy OnFailure => ResourcePolicy.Release;

    public IReadOnlyList<PlannedResource> Resources(StepContext context) => [new("network", context.ResourceName("nic"))];

    public Task ExecuteAsync(StepContext context) =>
        infrastructure.CreateAsync(context.WorkspaceId, context.ResourceName("nic"), "network", 0, 0, context.CancellationToken);

    public Task CompensateAsync(StepContext context) => infrastructure.DeleteAsync(context.ResourceName("nic"), context.CancellationToken);
}
