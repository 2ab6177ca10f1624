using Provisioning.Core.Workspaces;

namespace Portal.Features.Workspaces;

/// <summary>Why a retry was refused, in the user's words (the same reasons the API gives as 409 and 503).</summary>
public static class RetryMessages
{
    public const string InProgress = "The workspace is already being provisioned.";
    public const string NotInError = "Only a workspace in error can be retried.";
    public const string NotFound = "The workspace no longer exists.";
    public const string ReleaseUnavailable = "The release is still unavailable.";

    /// <summary>A retry not even tried: the user asked for too many in a short time (issue 18).</summary>
    /// <remarks>The same words refuse a new workspace (<see cref="CreateWorkspaceOutcome.TooMany"/>): one limit covers both.</remarks>
    public static string Throttled(Security.Throttled throttled) =>
        $"You have asked for many workspaces and retries in a short time. Try again in {throttled.Seconds} seconds.";

    /// <summary>Null when the retry was accepted. Admins also see the error code of an unavailable release.</summary>
    public static string? Explain(RetryResult result, bool withCode = false) => result switch
    {
        { Accepted: true } => null,
        { Refusal: RetryRefusal.ProvisioningInProgress } => InProgress,
        { Refusal: RetryRefusal.NotInError } => NotInError,
        { Refusal: RetryRefusal.ReleaseUnavailable, Error: { } error } when withCode =>
            $"{ReleaseUnavailable.TrimEnd('.')} ({error.Code}). {error.UserMessage}",
        { Refusal: RetryRefusal.ReleaseUnavailable, Error: { } error } => $"{ReleaseUnavailable} {error.UserMessage}",
        { Refusal: RetryRefusal.ReleaseUnavailable } => ReleaseUnavailable,
        _ => NotFound,
    };
}
