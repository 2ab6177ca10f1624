using Provisioning.Core.Releases;
using Provisioning.Core.Templates;

namespace Provisioning.Core.Steps;

/// <summary>
/// Everything a step needs to know about the workspace it works on. Secrets only in <see cref="Outputs"/>, in
/// memory, which never prints them.
/// </summary>
public sealed record StepContext(
    Guid WorkspaceId,
    string TenantId,
    string WorkspaceName,
    int Cpu,
    int MemoryGb,
    Release Release,
    ProvisioningTemplate Template,
    Guid CorrelationId,
    string StepName,
    DateTimeOffset StepStartedAt,
    int Attempt,
    int RetryCount,
    StepOutputs Outputs,
    CancellationToken CancellationToken)
{
    /// <summary>The stable name under which this workspace's infrastructure is created (idempotency key).</summary>
    public string ResourceName(string suffix) => $"ws-{WorkspaceId:N}-{suffix}";

    /// <summary>The same for one workspace and step across tries, attempts and restarts: what a step's own idempotency hangs on.</summary>
    public string IdempotencyKey => ResourceName(StepName);
}
