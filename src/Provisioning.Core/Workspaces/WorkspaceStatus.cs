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

public enum ResourceState
{
    Active,
    Retained,
    Released,
    Orphaned,
}
