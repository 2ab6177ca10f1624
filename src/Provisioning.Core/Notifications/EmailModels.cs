using System.Text.Json;

namespace Provisioning.Core.Notifications;

/// <summary>
/// The emails the portal sends, by the template name stored on each <see cref="OutboxMessage"/>, and the
/// models they are rendered from. Rendering itself belongs to the web project (<see cref="IEmailRenderer"/>).
/// </summary>
public static class EmailTemplates
{
    /// <summary>To the requester of a failed workspace: <see cref="RequesterFailureModel"/>.</summary>
    public const string RequesterFailure = "requester_failure";

    /// <summary>To each tenant admin when a workspace fails: <see cref="TenantAdminFailureModel"/>.</summary>
    public const string TenantAdminFailure = "tenant_admin_failure";

    /// <summary>To the requester when a retry made the workspace ready: <see cref="WorkspaceReadyModel"/>.</summary>
    public const string WorkspaceReady = "workspace_ready";

    /// <summary>
    /// To someone an admin invited: <see cref="InvitationModel"/>. Its link is made at delivery
    /// (<see cref="InvitationModel.AcceptUrl"/>), never stored.
    /// </summary>
    public const string Invitation = "invitation";

    /// <summary>How models are stored in <see cref="OutboxMessage.Model"/>.</summary>
    public static readonly JsonSerializerOptions ModelJson = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    public static IReadOnlyCollection<string> All { get; } = [RequesterFailure, TenantAdminFailure, WorkspaceReady, Invitation];

    /// <summary>The model type a template is rendered from.</summary>
    public static Type ModelType(string template) => template switch
    {
        RequesterFailure => typeof(RequesterFailureModel),
        TenantAdminFailure => typeof(TenantAdminFailureModel),
        WorkspaceReady => typeof(WorkspaceReadyModel),
        Invitation => typeof(InvitationModel),
        _ => throw new ArgumentException($"There is no email template '{template}'.", nameof(template)),
    };
}

/// <summary>
/// What the requester is told: the catalogue's words and a link. Deliberately no error code, technical
/// detail, correlation id or any id but the workspace's.
/// </summary>
public sealed record RequesterFailureModel(
    Guid WorkspaceId, string WorkspaceName, string UserMessage, string SuggestedAction, string WorkspaceUrl);

/// <summary>What a tenant admin is told: everything needed to understand the failure without opening the logs.</summary>
public sealed record TenantAdminFailureModel(
    Guid WorkspaceId,
    string WorkspaceName,
    string ReleaseId,
    string RequestedBy,
    string ErrorCode,
    string UserMessage,
    string SuggestedAction,
    string TechnicalDetail,
    Guid? CorrelationId,
    string FailedStep,
    int Attempt,
    int RetryCount,
    DateTimeOffset FailedAt,
    IReadOnlyList<StepHistory> Steps,
    string AdminUrl,
    string WorkspaceUrl);

/// <summary>One step as the failed attempt ran it: when it ran, each failed try, and what compensation did.</summary>
/// <param name="Outcome"><c>succeeded</c>, <c>failed</c> or <c>started</c> (cut short).</param>
/// <param name="Compensation"><c>released</c>, <c>retained</c>, <c>cleanup_failed</c>, or null when it had nothing to undo.</param>
public sealed record StepHistory(
    string Step, string Outcome, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt, int Retries,
    IReadOnlyList<StepTry> Tries, string? Compensation);

/// <summary>A failed try of a step.</summary>
/// <param name="Try">1 for the first try.</param>
/// <param name="NextRetryAt">When the next try was due; null when this try failed the step.</param>
public sealed record StepTry(int Try, DateTimeOffset At, string ErrorCode, string? TechnicalDetail, DateTimeOffset? NextRetryAt);

/// <summary>The requester's good news after a retry.</summary>
public sealed record WorkspaceReadyModel(Guid WorkspaceId, string WorkspaceName, int Attempt, string WorkspaceUrl);

/// <summary>An invitation into a tenant.</summary>
/// <param name="Role">As people read it: "member" or "tenant admin".</param>
/// <param name="InvitedBy">The inviting admin's email.</param>
/// <param name="SingleSignOn">The identity provider's display name when single sign-on is on, so the email can say so.</param>
/// <param name="AcceptUrl">
/// The link with the token. Null in the outbox (the token must not be stored); the delivery fills it in for the one
/// email it composes (<see cref="Identity.Invitation.IssueToken"/>).
/// </param>
public sealed record InvitationModel(
    Guid InvitationId, string TenantName, string Role, string InvitedBy, DateTimeOffset ExpiresAt, string? SingleSignOn,
    string? AcceptUrl = null);
