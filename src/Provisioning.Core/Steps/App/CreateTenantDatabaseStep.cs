using Provisioning.Core.TenantDatabases;

namespace Provisioning.Core.Steps.App;

/// <summary>
/// Allocates the workspace's database. Retained when an attempt fails: rebuilding it is the slow part,
/// and the allocation hands back the same database and credentials to the retry (seed 001).
/// </summary>
public sealed class CreateTenantDatabaseStep(TenantDatabaseAllocator databases) : IProvisioningStep
{
    public string Name => StepNames.CreateTenantDatabase;

    public ResourcePolicy OnFailure => ResourcePolicy.Retain;

    public IReadOnlyList<PlannedResource> Resources(StepContext context) =>
        [new("database", databases.DatabaseName(context.WorkspaceId))];

    public Task ExecuteAsync(StepContext context) => databases.AllocateAsync(context.WorkspaceId, context.CancellationToken);

    public Task CompensateAsync(StepContext context) => databases.DropAsync(context.WorkspaceId, context.CancellationToken);
}
