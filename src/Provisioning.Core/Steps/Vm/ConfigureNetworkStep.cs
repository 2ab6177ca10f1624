using Provisioning.Core.Infrastructure;

namespace Provisioning.Core.Steps.Vm;

/// <summary>Attaches the VM's network adapter.</summary>
public sealed class ConfigureNetworkStep(INetwork network) : IProvisioningStep
{
    public string Name => StepNames.ConfigureNetwork;

    public ResourcePolicy OnFailure => ResourcePolicy.Release;

    public IReadOnlyList<IInfrastructurePort> Infrastructure => [network];

    public IReadOnlyList<PlannedResource> Resources(StepContext context) => [new("network", context.ResourceName("nic"))];

    public Task ExecuteAsync(StepContext context) =>
        network.ConnectAsync(context.WorkspaceId, context.ResourceName("vm"), context.ResourceName("nic"), context.CancellationToken);

    public Task CompensateAsync(StepContext context) => network.DisconnectAsync(context.ResourceName("vm"), context.ResourceName("nic"), context.CancellationToken);
}
