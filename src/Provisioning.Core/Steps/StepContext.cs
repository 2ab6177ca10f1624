using Provisioning.Core.Releases;

namespace Provisioning.Core.Steps;

/// <summary>Everything a step needs to know about the workspace it works on. Holds no secrets.</summary>
public sealed record StepContext(
    Guid WorkspaceId,
    string TenantId,
    string WorkspaceName,
    int Cpu,
    int MemoryGb,
    Release Release,
    Guid CorrelationId,
    string StepName,
    DateTimeOffset StepStartedAt,
    CancellationToken CancellationToken)
{
    /// <summary>The stable name under which this workspace's infrastructure is created (idempotency key).</summary>
    public string ResourceName(string suffix) => $"ws-{WorkspaceId:N}-{suffix}";
}
