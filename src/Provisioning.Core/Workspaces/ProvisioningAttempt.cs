namespace Provisioning.Core.Workspaces;

/// <summary>
/// One run of the plan for a workspace. An attempt is active until <see cref="FinishedAt"/> is set;
/// the database allows at most one active attempt per workspace (a unique partial index).
/// </summary>
public sealed class ProvisioningAttempt
{
    private ProvisioningAttempt()
    {
    }

    internal ProvisioningAttempt(Guid workspaceId, int number, AttemptTrigger trigger, string triggeredBy, DateTimeOffset startedAt)
    {
        Id = Guid.CreateVersion7(startedAt);
        WorkspaceId = workspaceId;
        Number = number;
        Trigger = trigger;
        TriggeredBy = triggeredBy;
        CorrelationId = Guid.NewGuid();
        StartedAt = startedAt;
    }

    public Guid Id { get; private set; }

    public Guid WorkspaceId { get; private set; }

    public int Number { get; private set; }

    public AttemptTrigger Trigger { get; private set; }

    public string TriggeredBy { get; private set; } = "";

    public Guid CorrelationId { get; private set; }

    public DateTimeOffset StartedAt { get; private set; }

    public DateTimeOffset? FinishedAt { get; private set; }

    public AttemptOutcome? Outcome { get; private set; }

    public string? ErrorCode { get; private set; }

    public bool IsActive => FinishedAt is null;

    internal void Finish(AttemptOutcome outcome, DateTimeOffset at, string? errorCode = null)
    {
        Outcome = outcome;
        FinishedAt = at;
        ErrorCode = errorCode;
    }
}
