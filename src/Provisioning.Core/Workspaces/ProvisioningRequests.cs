using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Provisioning.Core.Errors;
using Provisioning.Core.Persistence;
using Provisioning.Core.Releases;
using Provisioning.Core.Scheduling;
using Provisioning.Core.Steps;
using Provisioning.Core.Templates;

namespace Provisioning.Core.Workspaces;

/// <summary>A request for a new workspace, as the caller made it; a size left out comes from the release.</summary>
public sealed record CreateWorkspace(
    string TenantId, string RequestedBy, string Name, string ReleaseId, int? Cpu = null, int? MemoryGb = null, string? IdempotencyKey = null)
{
    public CreateWorkspace(string tenantId, string requestedBy, string name, string releaseId, WorkspaceSize size)
        : this(tenantId, requestedBy, name, releaseId, size.Cpu, size.MemoryGb)
    {
    }
}

public enum CreateRefusal
{
    UnknownRelease,

    /// <summary>The release names a template this portal has not loaded (removed from the templates folder).</summary>
    TemplateNotLoaded,

    /// <summary>A platform admin retired the release: no new workspaces of it.</summary>
    ReleaseRetired,
    NameTaken,
    IdempotencyKeyReused,
}

/// <summary>The created (or, for a repeated idempotency key, the earlier) workspace, or why none was created.</summary>
public sealed record CreateResult(Workspace? Workspace, CreateRefusal? Refusal, bool Replayed = false);

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

public enum DeleteRefusal
{
    NotFound,
    ProvisioningInProgress,
}

/// <summary>
/// Starts the work on workspaces. Create, retry and delete take the same path: the change is committed
/// with its event, then handed to the scheduler with nothing but the workspace id. Every lookup is
/// scoped to the caller's tenant; another tenant's workspace does not exist.
/// </summary>
public sealed class ProvisioningRequests(
    IDbContextFactory<ProvisioningDbContext> dbFactory,
    IReleaseStore releases,
    IAttemptQueue queue,
    TemplateCatalog templates,
    TimeProvider time)
{
    // Losing the race for a workspace's revision this often in a row is no longer a race: the caller gets a conflict.
    private const int DecideAgainLimit = 3;

    public async Task<CreateResult> CreateAsync(CreateWorkspace request, CancellationToken cancellationToken)
    {
        await using var db = await ScopedAsync(request.TenantId, cancellationToken);
        var release = await db.Releases.AsNoTracking().SingleOrDefaultAsync(r => r.Id == request.ReleaseId, cancellationToken);
        if (release is null)
        {
            return new CreateResult(null, CreateRefusal.UnknownRelease);
        }

        if (release.IsRetired)
        {
            return new CreateResult(null, CreateRefusal.ReleaseRetired);
        }

        if (templates.Find(release.Template) is not { } template)
        {
            return new CreateResult(null, CreateRefusal.TemplateNotLoaded);
        }

        var size = new WorkspaceSize(request.Cpu ?? release.DefaultCpu, request.MemoryGb ?? release.DefaultMemoryGb);
        var hash = RequestHash(request, size);
        if (request.IdempotencyKey is { } key && await ReplayAsync(db, request.RequestedBy, key, hash, cancellationToken) is { } replay)
        {
            return replay;
        }

        var workspace = Workspace.Request(request.TenantId, request.RequestedBy, request.Name, release.Id, size,
            template.StepNames.ToList(), time.GetUtcNow());
        db.Workspaces.Add(workspace);
        if (request.IdempotencyKey is { } newKey)
        {
            db.IdempotencyRecords.Add(new IdempotencyRecord(request.RequestedBy, newKey, hash, workspace.Id, time.GetUtcNow()));
        }

        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (db.IsUniqueViolation(e))
        {
            // Either the name was taken meanwhile, or the same key raced us.
            await using var again = await ScopedAsync(request.TenantId, cancellationToken);
            return request.IdempotencyKey is { } raced && await ReplayAsync(again, request.RequestedBy, raced, hash, cancellationToken) is { } replayed
                ? replayed
                : new CreateResult(null, CreateRefusal.NameTaken);
        }

        await queue.EnqueueAsync(workspace.Id, cancellationToken);
        return new CreateResult(workspace, null);
    }

    /// <summary>Whether a workspace not deleted already has this name in the tenant.</summary>
    public async Task<bool> IsNameTakenAsync(string tenantId, string name, CancellationToken cancellationToken)
    {
        await using var db = await ScopedAsync(tenantId, cancellationToken);
        return await db.Workspaces.AnyAsync(w => w.Name == name && w.Status != WorkspaceStatus.Deleted, cancellationToken);
    }

    /// <summary>
    /// Starts a new attempt for a workspace in error, resuming at its failed step. Which of several
    /// concurrent retries wins is decided by the database's one-active-attempt index.
    /// </summary>
    public Task<RetryResult> RetryAsync(Guid workspaceId, string tenantId, string actor, CancellationToken cancellationToken) =>
        RetryAsync(workspaceId, tenantId, actor, size: null, cancellationToken);

    /// <summary>The same, with another size for the workspace (<paramref name="size"/>; null: as it is), recorded in its timeline.</summary>
    public async Task<RetryResult> RetryAsync(Guid workspaceId, string tenantId, string actor, WorkspaceSize? size, CancellationToken cancellationToken)
    {
        for (var tries = 1; ; tries++)
        {
            try
            {
                return await TryRetryAsync(workspaceId, tenantId, actor, size, cancellationToken);
            }
            catch (DbUpdateConcurrencyException) when (tries < DecideAgainLimit)
            {
                // Another writer moved the workspace on between this read and this write: decide again on what it holds now.
            }
        }
    }

    private async Task<RetryResult> TryRetryAsync(Guid workspaceId, string tenantId, string actor, WorkspaceSize? size, CancellationToken cancellationToken)
    {
        await using var db = await ScopedAsync(tenantId, cancellationToken);
        var workspace = await db.LoadWorkspaceAsync(workspaceId, cancellationToken);
        if (workspace is null || workspace.Status == WorkspaceStatus.Deleted)
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

        // A retry that would fail again at once on a missing artifact is refused, when the template fetches one.
        var release = await db.Releases.AsNoTracking().SingleAsync(r => r.Id == workspace.ReleaseId, cancellationToken);
        if (templates.Find(release.Template)?.Uses(StepNames.FetchRelease) == true && await releases.CheckAsync(release, cancellationToken) is { } unavailable)
        {
            workspace.RejectRetry(unavailable, actor, time.GetUtcNow());
            await db.SaveChangesAsync(cancellationToken);
            return new RetryResult(null, RetryRefusal.ReleaseUnavailable, unavailable);
        }

        if (size is { } newSize)
        {
            workspace.Resize(newSize, actor, time.GetUtcNow());
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

    /// <summary>Starts releasing every resource of the workspace; it ends <c>deleted</c>.</summary>
    public async Task<(Workspace? Workspace, DeleteRefusal? Refusal)> DeleteAsync(Guid workspaceId, string tenantId, string actor, CancellationToken cancellationToken)
    {
        for (var tries = 1; ; tries++)
        {
            try
            {
                return await TryDeleteAsync(workspaceId, tenantId, actor, cancellationToken);
            }
            catch (DbUpdateConcurrencyException) when (tries < DecideAgainLimit)
            {
                // As for a retry: decide again on what the workspace holds now.
            }
        }
    }

    private async Task<(Workspace? Workspace, DeleteRefusal? Refusal)> TryDeleteAsync(Guid workspaceId, string tenantId, string actor, CancellationToken cancellationToken)
    {
        await using var db = await ScopedAsync(tenantId, cancellationToken);
        var workspace = await db.LoadWorkspaceAsync(workspaceId, cancellationToken);
        if (workspace is null || workspace.Status == WorkspaceStatus.Deleted)
        {
            return (null, DeleteRefusal.NotFound);
        }

        if (workspace.Status == WorkspaceStatus.Provisioning)
        {
            return (null, DeleteRefusal.ProvisioningInProgress);
        }

        if (workspace.Status != WorkspaceStatus.Deprovisioning)
        {
            workspace.BeginDeprovisioning(actor, time.GetUtcNow());
            await db.SaveChangesAsync(cancellationToken);
        }

        await queue.EnqueueAsync(workspace.Id, cancellationToken);
        return (workspace, null);
    }

    private async Task<ProvisioningDbContext> ScopedAsync(string tenantId, CancellationToken cancellationToken)
    {
        var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        db.TenantScope = tenantId;
        return db;
    }

    private async Task<CreateResult?> ReplayAsync(ProvisioningDbContext db, string userId, string key, string hash, CancellationToken cancellationToken)
    {
        var record = await db.IdempotencyRecords.SingleOrDefaultAsync(r => r.UserId == userId && r.Key == key, cancellationToken);
        if (record is null)
        {
            return null;
        }

        if (record.CreatedAt + IdempotencyRecord.Lifetime < time.GetUtcNow())
        {
            // Expired: the key may be used afresh.
            db.IdempotencyRecords.Remove(record);
            await db.SaveChangesAsync(cancellationToken);
            return null;
        }

        if (record.RequestHash != hash)
        {
            return new CreateResult(null, CreateRefusal.IdempotencyKeyReused);
        }

        var workspace = await db.LoadWorkspaceAsync(record.WorkspaceId, cancellationToken);
        return new CreateResult(workspace, null, Replayed: true);
    }

    private static string RequestHash(CreateWorkspace request, WorkspaceSize size) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(
            $"{request.TenantId}\n{request.Name}\n{request.ReleaseId}\n{size.Cpu}\n{size.MemoryGb}")));
}
