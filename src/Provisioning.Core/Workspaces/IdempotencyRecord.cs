namespace Provisioning.Core.Workspaces;

/// <summary>
/// Remembers a create request by the caller's <c>Idempotency-Key</c>: the same key from the same user
/// within <see cref="Lifetime"/> returns the first result instead of creating again.
/// </summary>
public sealed class IdempotencyRecord
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(24);

    private IdempotencyRecord()
    {
    }

    internal IdempotencyRecord(string userId, string key, string requestHash, Guid workspaceId, DateTimeOffset createdAt)
    {
        Id = Guid.CreateVersion7(createdAt);
        UserId = userId;
        Key = key;
        RequestHash = requestHash;
        WorkspaceId = workspaceId;
        CreatedAt = createdAt;
    }

    public Guid Id { get; private set; }

    public string UserId { get; private set; } = "";

    public string Key { get; private set; } = "";

    /// <summary>SHA-256 of the request as understood (tenant, name, release, size).</summary>
    public string RequestHash { get; private set; } = "";

    public Guid WorkspaceId { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }
}
