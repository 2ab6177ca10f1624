namespace Provisioning.Core.Workspaces;

/// <summary>
/// Append-only record of something that happened to a workspace, written in the same transaction
/// as the state change it records. Timeline, notifications and live updates are driven by these.
/// </summary>
public sealed class WorkspaceEvent
{
    private WorkspaceEvent()
    {
    }

    internal WorkspaceEvent(Guid workspaceId, string tenantId, string type, DateTimeOffset occurredAt, string actor, Guid? correlationId, string payload)
    {
        WorkspaceId = workspaceId;
        TenantId = tenantId;
        Type = type;
        OccurredAt = occurredAt;
        Actor = actor;
        CorrelationId = correlationId;
        Payload = payload;
    }

    public long Sequence { get; private set; }

    public Guid WorkspaceId { get; private set; }

    public string TenantId { get; private set; } = "";

    public string Type { get; private set; } = "";

    public DateTimeOffset OccurredAt { get; private set; }

    public string Actor { get; private set; } = "";

    public Guid? CorrelationId { get; private set; }

    /// <summary>JSON (snake_case). Never holds secrets.</summary>
    public string Payload { get; private set; } = "{}";
}
