using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Provisioning.Core.Persistence;
using Provisioning.Core.Workspaces;

namespace Provisioning.Core.Notifications;

/// <summary>An outbox email as an admin sees it: where it is, and what went wrong last.</summary>
public sealed record OutboxMessageView(
    Guid Id, string Recipient, string RecipientUserId, string TenantId, Guid? WorkspaceId, string Template, string Subject,
    OutboxStatus Status, int Attempts, string? LastError, DateTimeOffset? NextAttemptAt, DateTimeOffset CreatedAt,
    DateTimeOffset? LastAttemptAt, DateTimeOffset? SentAt, int Resends);

/// <summary>The outbox as admins see it: every tenant's for the platform, with the resend; one tenant's for its admins.</summary>
public sealed class OutboxAdmin(IDbContextFactory<ProvisioningDbContext> dbFactory, TimeProvider time)
{
    /// <summary>The one definition of the view: translated to SQL for lists, compiled for a message already in memory.</summary>
    private static readonly Expression<Func<OutboxMessage, OutboxMessageView>> View = m => new OutboxMessageView(
        m.Id, m.Recipient, m.RecipientUserId, m.TenantId, m.WorkspaceId, m.Template, m.Subject,
        m.Status, m.Attempts, m.LastError, m.NextAttemptAt, m.CreatedAt, m.LastAttemptAt, m.SentAt, m.Resends);

    private static readonly Func<OutboxMessage, OutboxMessageView> ToView = View.Compile();

    /// <summary>Newest first; optionally one status and one tenant.</summary>
    public async Task<PageOf<OutboxMessageView>> ListAsync(
        OutboxStatus? status, string? tenantId, int page, int pageSize, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        // The tenant is the tenant query filter's to apply (ADR-005), as for every other tenant-owned set.
        db.TenantScope = tenantId;
        var query = db.Outbox.AsNoTracking();
        // Named again, and only the filters in use: `@p IS NULL OR column = @p` keeps SQLite off the indexes.
        if (tenantId is not null)
        {
            query = query.Where(m => m.TenantId == tenantId);
        }

        if (status is not null)
        {
            query = query.Where(m => m.Status == status);
        }

        var total = await query.CountAsync(cancellationToken);
        if (Paging.IsPastTheEnd(page, pageSize, total))
        {
            return new PageOf<OutboxMessageView>([], total, page, pageSize);
        }

        var items = await query
            .OrderByDescending(m => m.CreatedAt)
            .ThenByDescending(m => m.Id)
            .Skip((page - 1) * pageSize)
            .Take(pageSize)
            .Select(View)
            .ToListAsync(cancellationToken);
        return new PageOf<OutboxMessageView>(items, total, page, pageSize);
    }

    /// <summary>
    /// One tenant's emails, newest first: what its tenant admins see. Unlike <see cref="ListAsync"/>, a missing
    /// tenant is an error, never every tenant's mail.
    /// </summary>
    public Task<PageOf<OutboxMessageView>> ListForTenantAsync(
        string tenantId, OutboxStatus? status, int page, int pageSize, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(tenantId);
        return ListAsync(status, tenantId, page, pageSize, cancellationToken);
    }

    /// <summary>The tenants that have mail in the outbox, in order: the choices of the platform admin's tenant filter.</summary>
    public async Task<IReadOnlyList<string>> TenantsAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Outbox.AsNoTracking().Select(m => m.TenantId).Distinct().OrderBy(t => t).ToListAsync(cancellationToken);
    }

    /// <summary>
    /// Queues a message to go out again at the next delivery run: a sent or failed one as a new delivery, a
    /// pending one without waiting out its backoff. Null when there is no such message.
    /// </summary>
    public async Task<OutboxMessageView?> ResendAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var m = await db.Outbox.SingleOrDefaultAsync(x => x.Id == id, cancellationToken);
        if (m is null)
        {
            return null;
        }

        m.Resend(time.GetUtcNow());
        await db.SaveChangesAsync(cancellationToken);
        return ToView(m);
    }
}
