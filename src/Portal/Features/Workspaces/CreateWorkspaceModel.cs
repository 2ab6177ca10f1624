using Provisioning.Core.Workspaces;

namespace Portal.Features.Workspaces;

/// <summary>What the "New workspace" dialog collects; a size left empty comes from the release.</summary>
public sealed class CreateWorkspaceModel
{
    public string? Name { get; set; }

    public string? ReleaseId { get; set; }

    public int? Cpu { get; set; }

    public int? MemoryGb { get; set; }
}

/// <summary>The answer to a create request: the new workspace's id, or why none was created.</summary>
/// <param name="Throttled">Not even tried: the user asked for too much in a short time; this says when to try again.</param>
public sealed record CreateWorkspaceOutcome(Guid? WorkspaceId, CreateRefusal? Refusal, string? Throttled = null)
{
    public static CreateWorkspaceOutcome Created(Guid id) => new(id, null);

    public static CreateWorkspaceOutcome Refused(CreateRefusal refusal) => new(null, refusal);

    public static CreateWorkspaceOutcome TooMany(Security.Throttled throttled) => new(null, null, RetryMessages.Throttled(throttled));
}
