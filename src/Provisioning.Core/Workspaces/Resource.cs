namespace Provisioning.Core.Workspaces;

/// <summary>
/// Something a step created in the infrastructure. This inventory is how the portal proves it leaves
/// no orphans: every resource ends released, retained on purpose, or orphaned for an admin.
/// </summary>
public sealed class Resource
{
    private Resource()
    {
    }

    internal Resource(Guid workspaceId, string step, string kind, string externalId, DateTimeOffset at)
    {
        Id = Guid.CreateVersion7(at);
        WorkspaceId = workspaceId;
        Step = step;
        Kind = kind;
        ExternalId = externalId;
        State = ResourceState.Active;
        CreatedAt = at;
        UpdatedAt = at;
    }

    public Guid Id { get; private set; }

    public Guid WorkspaceId { get; private set; }

    public string Step { get; private set; } = "";

    /// <summary><c>vm</c>, <c>deployment</c>, <c>volume</c>, <c>database</c>, <c>registration</c>, <c>api_key</c>, <c>artifact</c>…</summary>
    public string Kind { get; private set; } = "";

    public string ExternalId { get; private set; } = "";

    public ResourceState State { get; private set; }

    public string? LastError { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset UpdatedAt { get; private set; }

    internal void MoveTo(ResourceState state, DateTimeOffset at, string? error = null)
    {
        State = state;
        UpdatedAt = at;
        LastError = error;
    }
}
