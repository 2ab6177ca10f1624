using Provisioning.Core.Infrastructure;

namespace Provisioning.Core.Steps.App;

/// <summary>Registers the workspace with the platform's auth, realtime and storage services.</summary>
public sealed class RegisterServicesStep(IServiceRegistry registry) : IProvisioningStep
{
    public static readonly IReadOnlyList<string> Services = ["auth", "realtime", "storage"];

    public string Name => StepNames.RegisterServices;

    public ResourcePolicy OnFailure => ResourcePolicy.Release;

    public IReadOnlyList<IInfrastructurePort> Infrastructure => [registry];

    public IReadOnlyList<PlannedResource> Resources(StepContext context) =>
        [.. Services.Select(service => new PlannedResource("registration", context.ResourceName($"reg-{service}")))];

    public async Task ExecuteAsync(StepContext context)
    {
        foreach (var service in Services)
        {
            await registry.RegisterAsync(context.WorkspaceId, context.ResourceName($"reg-{service}"), context.CancellationToken);
        }
    }

    public async Task CompensateAsync(StepContext context)
    {
        foreach (var service in Services)
        {
            await registry.DeregisterAsync(context.ResourceName($"reg-{service}"), context.CancellationToken);
        }
    }
}
