using Microsoft.Extensions.Options;
using Provisioning.Core.Engine;
using Provisioning.Core.Errors;
using Provisioning.Core.Infrastructure;
using Provisioning.Core.Steps.App;

namespace Provisioning.Core.Steps;

/// <summary>
/// The last step of both built-in templates: the runtime (a template that uses start_runtime) or the VM (one that
/// uses clone_vm) answers, and what the earlier steps registered is still there. The readiness deadline counts from the step's first start, so a restart
/// does not extend it.
/// </summary>
public sealed class VerifyServicesStep(
    IRuntime runtime,
    ICompute compute,
    INetwork network,
    IServiceRegistry registry,
    Readiness readiness,
    IOptions<ProvisioningOptions> options) : IProvisioningStep
{
    public string Name => StepNames.VerifyServices;

    public ResourcePolicy OnFailure => ResourcePolicy.Release;

    public async Task ExecuteAsync(StepContext context)
    {
        var deadline = context.StepStartedAt + options.Value.ReadinessTimeout;
        if (context.Template.Uses(StepNames.StartRuntime))
        {
            await readiness.WaitAsync(runtime, context.ResourceName("deployment"), deadline, ErrorCatalogue.RuntimeTimeout, context.CancellationToken);
            foreach (var service in RegisterServicesStep.Services)
            {
                _ = await registry.FindAsync(context.ResourceName($"reg-{service}"), context.CancellationToken)
                    ?? throw new ProvisioningException(ErrorCatalogue.ServiceUnavailable, $"The {service} registration of the workspace is missing.");
            }
        }
        else if (context.Template.Uses(StepNames.CloneVm))
        {
            await readiness.WaitAsync(compute, context.ResourceName("vm"), deadline, ErrorCatalogue.ToolsTimeout, context.CancellationToken);
            if (!await network.IsConnectedAsync(context.ResourceName("vm"), context.ResourceName("nic"), context.CancellationToken))
            {
                throw new ProvisioningException(ErrorCatalogue.NetworkConfigFailed, "The VM's network adapter is missing or not connected.");
            }
        }
    }

    // Verification creates nothing.
    public Task CompensateAsync(StepContext context) => Task.CompletedTask;
}
