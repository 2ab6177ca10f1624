namespace Provisioning.Core.Workspaces;

public enum WorkspaceStatus
{
    Provisioning,
    Ready,
    Error,
    Deprovisioning,
    Deleted,
}

public enum StepStatus
{
    Pending,
    Running,
    Success,
    Failed,
    Skipped,
}

public enum AttemptTrigger
{
    Create,
    Retry,
}

public enum AttemptOutcome
{
    Succeeded,
    Failed,
}

/// <summary>
/// Where an attempt stands: <c>Running</c> goes forward step by step; after a step fails it is
/// <c>Compensating</c> until every step it reached is released or retained; then it ends <c>Failed</c>.
/// </summary>
public enum AttemptPhase
{
    Running,
    Compensating,
    Succeeded,
    Failed,
}

public enum ResourceState
{
    Active,
    Retained,
    Released,
    Orphaned,
}
