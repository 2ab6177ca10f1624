using Provisioning.Core.Simulator;

namespace Provisioning.Core.Steps.Vm;

/// <summary>Attaches the VM's network adapter.</summary>
public sealed class ConfigureNetworkStep(SimulatedInfrastructure infrastructure) : IProvisioningStep
{
    public string Name => StepNames.ConfigureNetwork;

    public ResourcePolicy OnFailure => ResourcePolicy.Release;

    public async Task ExecuteAsync(StepContext context)
    {
        var nic = await infrastructure.CreateAsync(context.WorkspaceId, context.ResourceName("nic"), "network", 0, 0, context.CancellationToken);
        await context.TrackAsync("network", nic.Name);
    }

    public Task CompensateAsync(StepContext context) => infrastructure.DeleteAsync(context.ResourceName("nic"), context.CancellationToken);
}
