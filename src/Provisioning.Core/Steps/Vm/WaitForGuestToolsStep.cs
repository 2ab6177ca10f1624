using Microsoft.Extensions.Options;
using Provisioning.Core.Engine;
using Provisioning.Core.Errors;
using Provisioning.Core.Infrastructure;

namespace Provisioning.Core.Steps.Vm;

/// <summary>Waits for the VM's guest tools to answer, up to the readiness timeout.</summary>
public sealed class WaitForGuestToolsStep(ICompute compute, Readiness readiness, IOptions<ProvisioningOptions> options) : IProvisioningStep
{
    public string Name => StepNames.WaitForGuestTools;

    public ResourcePolicy OnFailure => ResourcePolicy.Release;

    public IReadOnlyList<IInfrastructurePort> Infrastructure => [compute];

    public Task ExecuteAsync(StepContext context) =>
        readiness.WaitAsync(compute, context.ResourceName("vm"), context.StepStartedAt + options.Value.ReadinessTimeout, ErrorCatalogue.ToolsTimeout, context.CancellationToken);

    public Task CompensateAsync(StepContext context) => Task.CompletedTask;
}
