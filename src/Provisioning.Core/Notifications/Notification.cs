namespace Provisioning.Core.Notifications;

/// <summary>An in-app notification for one user, shown under the bell until read.</summary>
public sealed class Notification
{
    private Notification()
    {
    }

    public Notification(string userId, string tenantId, Guid? workspaceId, string kind, string title, string message, DateTimeOffset createdAt)
    {
        Id = Guid.CreateVersion7(createdAt);
        UserId = userId;
        TenantId = tenantId;
        WorkspaceId = workspaceId;
        Kind = kind;
        Title = title;
        Message = message;
        CreatedAt = createdAt;
    }

    public Guid Id { get; private set; }

    public string UserId { get; private set; } = "";

    public string TenantId { get; private set; } = "";

    public Guid? WorkspaceId { get; private set; }

    /// <summary><c>provisioning_failed</c>, <c>workspace_ready</c>…</summary>
    public string Kind { get; private set; } = "";

    public string Title { get; private set; } = "";

    public string Message { get; private set; } = "";

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset? ReadAt { get; private set; }

    public void MarkRead(DateTimeOffset at) => ReadAt ??= at;
}
