using Microsoft.EntityFrameworkCore;
using Provisioning.Core.Persistence;
using Provisioning.Core.Workspaces;

namespace Provisioning.Core.Engine;

public sealed record OrphanView(Guid ResourceId, Guid WorkspaceId, string TenantId, string WorkspaceName, string Step, string Kind, string ExternalId, string? LastError, DateTimeOffset UpdatedAt);

/// <summary>Resources whose compensation failed, waiting for a platform admin (AC-3.6.4).</summary>
public sealed class OrphanedResources(IDbContextFactory<ProvisioningDbContext> dbFactory, ProvisioningEngine engine)
{
    public async Task<IReadOnlyList<OrphanView>> ListAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Resources.AsNoTracking()
            .Where(r => r.State == ResourceState.Orphaned)
            .OrderBy(r => r.UpdatedAt)
            .Join(db.Workspaces, r => r.WorkspaceId, w => w.Id, (r, w) => new OrphanView(r.Id, r.WorkspaceId, w.TenantId, w.Name, r.Step, r.Kind, r.ExternalId, r.LastError, r.UpdatedAt))
            .ToListAsync(cancellationToken);
    }

    /// <summary>Runs the failed compensation again; null when the resource is not orphaned.</summary>
    public Task<(Resource Resource, string? Error)?> RetryCleanupAsync(Guid resourceId, string actor, CancellationToken cancellationToken) =>
        engine.RetryCleanupAsync(resourceId, actor, cancellationToken);
}
