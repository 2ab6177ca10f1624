using Provisioning.Core.TenantDatabases;

namespace Provisioning.Core.Steps.App;

/// <summary>Applies the release's schema to the tenant database. Retained with the database it lives in.</summary>
public sealed class CreateTenantSchemaStep(TenantDatabaseAllocator databases, FetchReleaseStep fetch) : IProvisioningStep, IReadsReleaseManifest
{
    public string Name => StepNames.CreateTenantSchema;

    public ResourcePolicy OnFailure => ResourcePolicy.Retain;

    public async Task ExecuteAsync(StepContext context)
    {
        var manifest = await fetch.ManifestAsync(context);
        await databases.ApplySchemaAsync(context.WorkspaceId, manifest.Schema, context.CancellationToken);
    }

    // The schema goes with the database; nothing of its own to undo.
    public Task CompensateAsync(StepContext context) => Task.CompletedTask;
}
