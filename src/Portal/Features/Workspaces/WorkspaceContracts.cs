using Provisioning.Core.Workspaces;

namespace Portal.Features.Workspaces;

public sealed record SizeRequest(int? Cpu, int? MemoryGb);

public sealed record CreateWorkspaceRequest(string? Name, string? ReleaseId, SizeRequest? Size);

/// <summary>A retry's optional body: another size for the workspace, both fields given (issue 22, point 8).</summary>
public sealed record RetryRequest(SizeRequest? Size);

public sealed record WorkspaceAccepted(
    Guid WorkspaceId, WorkspaceStatus Status, string Name, string ReleaseId, SizeView Size, int Attempt, Guid? CorrelationId, DateTimeOffset CreatedAt);

public sealed record RetryAccepted(Guid WorkspaceId, WorkspaceStatus Status, int Attempt, Guid CorrelationId, string JobId);

public sealed record DeleteAccepted(Guid WorkspaceId, WorkspaceStatus Status);
