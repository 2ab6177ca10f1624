using Provisioning.Core.Errors;
using Provisioning.Core.Releases;
using Provisioning.Core.TenantDatabases;

namespace Provisioning.Core.Steps.App;

/// <summary>Applies the release's schema to the tenant database. Retained with the database it lives in.</summary>
public sealed class CreateTenantSchemaStep(TenantDatabaseAllocator databases, FetchReleaseStep fetch) : IProvisioningStep
{
    public string Name => StepNames.CreateTenantSchema;

    public ResourcePolicy OnFailure => ResourcePolicy.Retain;

    public async Task ExecuteAsync(StepContext context)
    {
        ReleaseManifest manifest;
        try
        {
            await using var artifact = File.OpenRead(fetch.ArtifactPath(context));
            manifest = ReleaseManifest.Parse(artifact);
        }
        catch (FileNotFoundException e)
        {
            throw new ProvisioningException(ErrorCatalogue.ReleaseUnavailable, "The fetched artifact is missing from the workspace folder.", e);
        }

        await databases.ApplySchemaAsync(context.WorkspaceId, manifest.Schema, context.CancellationToken);
    }

    // The schema goes with the database; nothing of its own to undo.
    public Task CompensateAsync(StepContext context) => Task.CompletedTask;
}
