using Provisioning.Core.Simulator;
using Provisioning.Core.TenantDatabases;

namespace Provisioning.Core.Steps.App;

/// <summary>
/// Starts the app runtime (a deployment sized as requested, and its volume). The database credentials are
/// fetched fresh from the allocator, never carried over from an earlier attempt (seed 001's broken retry).
/// </summary>
public sealed class StartRuntimeStep(
    SimulatedInfrastructure infrastructure,
    TenantDatabaseAllocator databases,
    FetchReleaseStep fetch) : IProvisioningStep
{
    public string Name => StepNames.StartRuntime;

    public ResourcePolicy OnFailure => ResourcePolicy.Release;

    public IReadOnlyList<PlannedResource> Resources(StepContext context) =>
        [new("volume", context.ResourceName("volume")), new("deployment", context.ResourceName("deployment"))];

    public async Task ExecuteAsync(StepContext context)
    {
        _ = await databases.FindAsync(context.WorkspaceId, context.CancellationToken)
            ?? throw new InvalidOperationException($"Workspace {context.WorkspaceId} has no tenant database to connect the runtime to.");
        var manifest = await fetch.ManifestAsync(context);

        await infrastructure.CreateAsync(context.WorkspaceId, context.ResourceName("volume"), "volume", 0, 0, context.CancellationToken);
        var deployment = await infrastructure.CreateAsync(context.WorkspaceId, context.ResourceName("deployment"), "deployment", context.Cpu, context.MemoryGb, context.CancellationToken);
        await infrastructure.PowerOnAsync(deployment.Name, manifest.BecomesReady, context.CancellationToken);
    }

    public async Task CompensateAsync(StepContext context)
    {
        await infrastructure.DeleteAsync(context.ResourceName("deployment"), context.CancellationToken);
        await infrastructure.DeleteAsync(context.ResourceName("volume"), context.CancellationToken);
    }
}
