using Provisioning.Core.Errors;

namespace Provisioning.Core.Workspaces;

/// <summary>
/// The persisted state of one plan step of a workspace (seed 002's table plus <see cref="NextRetryAt"/>).
/// An attempt resumes at the first step that has not succeeded.
/// </summary>
public sealed class ProvisioningStep
{
    private ProvisioningStep()
    {
    }

    internal ProvisioningStep(Guid workspaceId, string name, int order, DateTimeOffset createdAt)
    {
        Id = Guid.CreateVersion7(createdAt);
        WorkspaceId = workspaceId;
        Name = name;
        Order = order;
        Status = StepStatus.Pending;
        CreatedAt = createdAt;
    }

    public Guid Id { get; private set; }

    public Guid WorkspaceId { get; private set; }

    public string Name { get; private set; } = "";

    public int Order { get; private set; }

    public StepStatus Status { get; private set; }

    public DateTimeOffset? StartedAt { get; private set; }

    public DateTimeOffset? CompletedAt { get; private set; }

    public string? ErrorCode { get; private set; }

    /// <summary>The catalogue's user message for <see cref="ErrorCode"/>.</summary>
    public string? ErrorMessage { get; private set; }

    /// <summary>JSON with the technical detail, for admins.</summary>
    public string? ErrorDetails { get; private set; }

    /// <summary>Automatic retries made in the current attempt.</summary>
    public int RetryCount { get; private set; }

    public DateTimeOffset? NextRetryAt { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public bool HasSucceeded => Status is StepStatus.Success or StepStatus.Skipped;

    internal void Start(DateTimeOffset at)
    {
        Status = StepStatus.Running;
        StartedAt ??= at;
        CompletedAt = null;
    }

    internal void ScheduleRetry(ProvisioningError error, DateTimeOffset nextRetryAt, string errorDetailsJson)
    {
        RetryCount++;
        NextRetryAt = nextRetryAt;
        ErrorCode = error.Code;
        ErrorMessage = error.UserMessage;
        ErrorDetails = errorDetailsJson;
    }

    internal void Succeed(DateTimeOffset at)
    {
        Status = StepStatus.Success;
        CompletedAt = at;
        NextRetryAt = null;
        ErrorCode = null;
        ErrorMessage = null;
        ErrorDetails = null;
    }

    internal void Fail(ProvisioningError error, DateTimeOffset at, string errorDetailsJson)
    {
        Status = StepStatus.Failed;
        CompletedAt = at;
        NextRetryAt = null;
        ErrorCode = error.Code;
        ErrorMessage = MessageOnceFailed(error);
        ErrorDetails = errorDetailsJson;
    }

    /// <summary>The user's words for <paramref name="error"/> once this step failed for good: after its tries, over the time they took.</summary>
    internal string MessageOnceFailed(ProvisioningError error) =>
        error.MessageOnceFailed(RetryCount + 1, (CompletedAt ?? StartedAt ?? default) - (StartedAt ?? CompletedAt ?? default));

    /// <summary>Its resources were released by compensation, so the next attempt must run it again.</summary>
    internal void Revert()
    {
        Status = StepStatus.Pending;
        StartedAt = null;
        CompletedAt = null;
        NextRetryAt = null;
    }

    /// <summary>A new attempt starts: whatever has not succeeded runs again with a fresh retry budget.</summary>
    internal void PrepareForAttempt()
    {
        if (HasSucceeded)
        {
            return;
        }

        Status = StepStatus.Pending;
        StartedAt = null;
        CompletedAt = null;
        RetryCount = 0;
        NextRetryAt = null;
        ErrorCode = null;
        ErrorMessage = null;
        ErrorDetails = null;
    }
}
