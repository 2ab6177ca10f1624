using Microsoft.EntityFrameworkCore;
using Provisioning.Core.Errors;
using Provisioning.Core.Persistence;
using Provisioning.Core.Releases;
using Provisioning.Core.Scheduling;
using Provisioning.Core.Steps;

namespace Provisioning.Core.Workspaces;

public enum RetryRefusal
{
    NotFound,
    ProvisioningInProgress,
    NotInError,
    ReleaseUnavailable,
}

/// <summary>The outcome of a retry request: the new attempt, or why it was refused.</summary>
public sealed record RetryResult(ProvisioningAttempt? Attempt, RetryRefusal? Refusal, ProvisioningError? Error = null)
{
    public bool Accepted => Attempt is not null;
}

/// <summary>
/// Starts attempts. Create and retry take the same path: the attempt is committed with its event, then
/// handed to the scheduler with nothing but the workspace id.
/// </summary>
public sealed class ProvisioningRequests(
    IDbContextFactory<ProvisioningDbContext> dbFactory,
    ReleaseStore releases,
    IAttemptQueue queue,
    TimeProvider time)
{
    /// <summary>Creates the workspace and starts its first attempt; null when the release does not exist.</summary>
    public async Task<Workspace?> CreateAsync(
        string tenantId, string requestedBy, string name, string releaseId, WorkspaceSize? size, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var release = await db.Releases.AsNoTracking().SingleOrDefaultAsync(r => r.Id == releaseId, cancellationToken);
        if (release is null)
        {
            return null;
        }

        var workspace = Workspace.Request(tenantId, requestedBy, name, release.Id,
            size ?? new WorkspaceSize(release.DefaultCpu, release.DefaultMemoryGb),
            ProvisioningPlans.For(release.Template), time.GetUtcNow());
        db.Workspaces.Add(workspace);
        await db.SaveChangesAsync(cancellationToken);
        await queue.EnqueueAsync(workspace.Id, cancellationToken);
        return workspace;
    }

    /// <summary>
    /// Starts a new attempt for a workspace in error, resuming at its failed step. Which of several
    /// concurrent retries wins is decided by the database's one-active-attempt index.
    /// </summary>
    public async Task<RetryResult> RetryAsync(Guid workspaceId, string tenantId, string actor, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var workspace = await db.LoadWorkspaceAsync(workspaceId, cancellationToken);
        if (workspace is null || workspace.TenantId != tenantId || workspace.Status == WorkspaceStatus.Deleted)
        {
            return new RetryResult(null, RetryRefusal.NotFound);
        }

        if (workspace.Status == WorkspaceStatus.Provisioning)
        {
            return new RetryResult(null, RetryRefusal.ProvisioningInProgress);
        }

        if (workspace.Status != WorkspaceStatus.Error)
        {
            return new RetryResult(null, RetryRefusal.NotInError);
        }

        var release = await db.Releases.AsNoTracking().SingleAsync(r => r.Id == workspace.ReleaseId, cancellationToken);
        if (await releases.CheckAsync(release, cancellationToken) is { } unavailable)
        {
            workspace.RejectRetry(unavailable, actor, time.GetUtcNow());
            await db.SaveChangesAsync(cancellationToken);
            return new RetryResult(null, RetryRefusal.ReleaseUnavailable, unavailable);
        }

        var attempt = workspace.StartAttempt(AttemptTrigger.Retry, actor, time.GetUtcNow());
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (db.IsUniqueViolation(e))
        {
            // Another retry committed its attempt first.
            return new RetryResult(null, RetryRefusal.ProvisioningInProgress);
        }

        await queue.EnqueueAsync(workspace.Id, cancellationToken);
        return new RetryResult(attempt, null);
    }
}
