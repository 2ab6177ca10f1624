using Microsoft.EntityFrameworkCore;
using Provisioning.Core.Persistence;

namespace Provisioning.Core.Notifications;

public sealed record NotificationView(Guid Id, string Kind, string Title, string Message, Guid? WorkspaceId, DateTimeOffset CreatedAt, DateTimeOffset? ReadAt);

public sealed record NotificationList(IReadOnlyList<NotificationView> Items, int Unread);

/// <summary>A user's own in-app notifications: what the bell shows.</summary>
public sealed class NotificationInbox(IDbContextFactory<ProvisioningDbContext> dbFactory, TimeProvider time)
{
    public async Task<NotificationList> ListAsync(string userId, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var mine = db.Notifications.AsNoTracking().Where(n => n.UserId == userId);
        var items = await mine.OrderByDescending(n => n.CreatedAt).Take(100)
            .Select(n => new NotificationView(n.Id, n.Kind, n.Title, n.Message, n.WorkspaceId, n.CreatedAt, n.ReadAt))
            .ToListAsync(cancellationToken);
        return new NotificationList(items, await mine.CountAsync(n => n.ReadAt == null, cancellationToken));
    }

    /// <summary>Marks one of the user's notifications read; null when it is not theirs.</summary>
    public async Task<NotificationView?> MarkReadAsync(string userId, Guid id, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var n = await db.Notifications.SingleOrDefaultAsync(x => x.Id == id && x.UserId == userId, cancellationToken);
        if (n is null)
        {
            return null;
        }

        n.MarkRead(time.GetUtcNow());
        await db.SaveChangesAsync(cancellationToken);
        return new NotificationView(n.Id, n.Kind, n.Title, n.Message, n.WorkspaceId, n.CreatedAt, n.ReadAt);
    }
}
