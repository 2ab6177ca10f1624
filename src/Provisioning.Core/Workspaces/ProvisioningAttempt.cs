using Provisioning.Core.Errors;

namespace Provisioning.Core.Workspaces;

/// <summary>
/// One run of the plan for a workspace. An attempt is active until <see cref="FinishedAt"/> is set;
/// the database allows at most one active attempt per workspace (a unique partial index).
/// </summary>
/// <remarks>
/// Where the attempt stands is kept as data, written in the same commit as the event that moves it
/// (ADR-008): <see cref="Phase"/> says whether whoever resumes it goes forward or goes on compensating, and
/// <see cref="CompensatingStep"/> how far compensation got. Nothing is inferred from which steps failed.
/// </remarks>
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
        Phase = AttemptPhase.Running;
    }

    public Guid Id { get; private set; }

    public Guid WorkspaceId { get; private set; }

    public int Number { get; private set; }

    public AttemptTrigger Trigger { get; private set; }

    public string TriggeredBy { get; private set; } = "";

    public Guid CorrelationId { get; private set; }

    public DateTimeOffset StartedAt { get; private set; }

    public DateTimeOffset? FinishedAt { get; private set; }

    public AttemptPhase Phase { get; private set; }

    /// <summary>The step whose failure ended the forward run; null while running, or when the portal gave up on the attempt.</summary>
    public string? FailedStep { get; private set; }

    /// <summary>Why the attempt failed, from the moment it began compensating.</summary>
    public string? ErrorCode { get; private set; }

    /// <summary>The failure's technical detail, for admins; kept so the attempt ends with it after a restart.</summary>
    public string? TechnicalDetail { get; private set; }

    /// <summary>
    /// While compensating: the step compensation is at, which it undoes next (or again, after a stop);
    /// null once every step has been visited.
    /// </summary>
    public string? CompensatingStep { get; private set; }

    public bool IsActive => FinishedAt is null;

    public AttemptOutcome? Outcome => Phase switch
    {
        AttemptPhase.Succeeded => AttemptOutcome.Succeeded,
        AttemptPhase.Failed => AttemptOutcome.Failed,
        _ => null,
    };

    /// <summary>The error the attempt failed with, as recorded when compensation began.</summary>
    public ProvisioningError? Error => ErrorCode is { } code ? new ProvisioningError(code, TechnicalDetail ?? "") : null;

    internal void BeginCompensation(string failedStep, ProvisioningError error)
    {
        Phase = AttemptPhase.Compensating;
        FailedStep = failedStep;
        ErrorCode = error.Code;
        TechnicalDetail = error.TechnicalDetail;
        CompensatingStep = failedStep;
    }

    internal void CompensationReached(string? nextStep) => CompensatingStep = nextStep;

    internal void Succeed(DateTimeOffset at)
    {
        Phase = AttemptPhase.Succeeded;
        FinishedAt = at;
    }

    internal void Fail(DateTimeOffset at)
    {
        Phase = AttemptPhase.Failed;
        FinishedAt = at;
        CompensatingStep = null;
    }

    /// <summary>The portal could not carry the attempt on: it ends failed with this error, wherever it stood.</summary>
    internal void Abandon(ProvisioningError error, DateTimeOffset at)
    {
        ErrorCode = error.Code;
        TechnicalDetail = error.TechnicalDetail;
        Fail(at);
    }
}
