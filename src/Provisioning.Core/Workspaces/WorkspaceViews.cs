using System.Text.Json;

namespace Provisioning.Core.Workspaces;

/// <summary>A page of results.</summary>
public sealed record PageOf<T>(IReadOnlyList<T> Items, int Total, int Page, int PageSize);

internal static class Paging
{
    /// <summary>
    /// True when the page starts after the last item. Computed in 64 bits: a huge page number must not overflow
    /// into a negative offset (which SQLite reads as 0, answering the first page under the wrong number).
    /// </summary>
    public static bool IsPastTheEnd(int page, int pageSize, int total) => (long)(page - 1) * pageSize >= Math.Max(total, 1);
}

public sealed record SizeView(int Cpu, int MemoryGb);

public sealed record WorkspaceSummary(
    Guid WorkspaceId, string Name, string ReleaseId, WorkspaceStatus Status, string? ErrorCode, string? ErrorDetail,
    SizeView Size, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <param name="Kind">What the template's step does: <c>builtin</c>, <c>command</c> or <c>http</c> (the last two keep a log).</param>
public sealed record StepView(
    string Name, StepStatus Status, DateTimeOffset? StartedAt, DateTimeOffset? CompletedAt, int RetryCount,
    DateTimeOffset? NextRetryAt, string? ErrorCode, string? ErrorMessage, string Kind = StepKinds.BuiltIn)
{
    public bool HasLog => Kind != StepKinds.BuiltIn;
}

/// <summary>The kinds of template step, as the API names them.</summary>
public static class StepKinds
{
    public const string BuiltIn = "builtin";
    public const string Command = "command";
    public const string Http = "http";
}

/// <param name="Outputs">What its template's steps produced (DESIGN §11), secret ones left out.</param>
public sealed record WorkspaceDetail(
    Guid WorkspaceId, string Name, string ReleaseId, WorkspaceStatus Status, string? ErrorCode, string? ErrorDetail,
    int Attempt, Guid? CorrelationId, SizeView Size, string RequestedBy, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt,
    IReadOnlyList<StepView> Steps, IReadOnlyList<OutputView> Outputs);

/// <summary>One line of a step's log.</summary>
public sealed record StepLogLineView(int Number, DateTimeOffset At, string Phase, string Stream, string Line);

/// <summary>Lines of a step's log in one attempt, after a line number; <see cref="NextAfter"/> asks for the next page.</summary>
public sealed record StepLogPage(string Step, int Attempt, IReadOnlyList<StepLogLineView> Lines, int? NextAfter);

/// <summary>A step's output, shown on its workspace: <see cref="Key"/> as the step wrote it.</summary>
public sealed record OutputView(string Key, string Value, string Step);

public sealed record EventView(long Sequence, string Type, DateTimeOffset OccurredAt, string Actor, Guid? CorrelationId, JsonElement Payload);

/// <summary>One attempt for admins; <see cref="Phase"/> says whether an unfinished one is still running or cleaning up after a failure.</summary>
public sealed record AttemptView(
    int Number, AttemptTrigger Trigger, string TriggeredBy, Guid CorrelationId, DateTimeOffset StartedAt,
    DateTimeOffset? FinishedAt, AttemptOutcome? Outcome, string? ErrorCode, AttemptPhase Phase);

/// <summary>What a tenant admin sees of a workspace: the user's view plus technical detail and retry history.</summary>
public sealed record AdminWorkspaceView(
    Guid WorkspaceId, string Name, string ReleaseId, WorkspaceStatus Status, string RequestedBy, string? ErrorCode,
    string? ErrorDetail, string? TechnicalDetail, Guid? CorrelationId, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt,
    IReadOnlyList<AttemptView> Attempts, IReadOnlyList<AdminStepView> Steps);

public sealed record AdminStepView(
    string Name, StepStatus Status, int RetryCount, DateTimeOffset? NextRetryAt, string? ErrorCode, string? ErrorDetails,
    DateTimeOffset? StartedAt, DateTimeOffset? CompletedAt);

public sealed record ResourceView(Guid ResourceId, Guid WorkspaceId, string Step, string Kind, string ExternalId, ResourceState State, string? LastError, DateTimeOffset UpdatedAt);
