namespace Provisioning.Core.Workspaces;

/// <summary>The event types the timeline, notifications and live updates understand.</summary>
public static class WorkspaceEventTypes
{
    public const string Requested = "workspace.requested";
    public const string AttemptStarted = "provisioning.attempt_started";
    public const string StepStarted = "step.started";
    public const string StepRetryScheduled = "step.retry_scheduled";
    public const string StepSucceeded = "step.succeeded";
    public const string StepFailed = "step.failed";
    public const string ResourceReleased = "compensation.released";
    public const string ResourceRetained = "compensation.retained";
    public const string CompensationFailed = "compensation.failed";
    public const string Succeeded = "provisioning.succeeded";
    public const string Failed = "provisioning.failed";
    public const string RetryRejected = "provisioning.retry_rejected";
    public const string Resized = "workspace.resized";
    public const string DeprovisioningStarted = "deprovisioning.started";
    public const string DeprovisioningFailed = "deprovisioning.failed";
    public const string Deleted = "workspace.deleted";
    public const string OrphanCleaned = "orphan.cleaned";

    /// <summary>Not an event of the timeline: new lines in a step's log were saved (live updates only, sequence 0).</summary>
    public const string StepLogAppended = "step.log_appended";
}
