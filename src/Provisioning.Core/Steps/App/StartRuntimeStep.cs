using Provisioning.Core.Infrastructure;
using Provisioning.Core.TenantDatabases;

namespace Provisioning.Core.Steps.App;

/// <summary>
/// Starts the app runtime (a deployment sized as requested, and its volume). The database credentials are
/// fetched fresh from the allocator, never carried over from an earlier attempt (seed 001's broken retry).
/// </summary>
public sealed class StartRuntimeStep(
    IRuntime runtime,
    TenantDatabaseAllocator databases,
    FetchReleaseStep fetch) : IProvisioningStep, IReadsReleaseManifest
{
    public string Name => StepNames.StartRuntime;

    public ResourcePolicy OnFailure => ResourcePolicy.Release;

    public IReadOnlyList<IInfrastructurePort> Infrastructure => [runtime];

    public IReadOnlyList<PlannedResource> Resources(StepContext context) =>
        [new("volume", context.ResourceName("volume")), new("deployment", context.ResourceName("deployment"))];

    public async Task ExecuteAsync(StepContext context)
    {
        _ = await databases.FindAsync(context.WorkspaceId, context.CancellationToken)
            ?? throw new InvalidOperationException($"Workspace {context.WorkspaceId} has no tenant database to connect the runtime to.");
        var manifest = await fetch.ManifestAsync(context);

        await runtime.StartAsync(context.WorkspaceId, context.ResourceName("deployment"), context.ResourceName("volume"), context.Cpu, context.MemoryGb,
            manifest.BecomesReady, context.CancellationToken);
    }

    public Task CompensateAsync(StepContext context) =>
        runtime.StopAsync(context.ResourceName("deployment"), context.ResourceName("volume"), context.CancellationToken);
}
