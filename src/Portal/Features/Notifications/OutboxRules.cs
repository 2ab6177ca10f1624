using Portal.Api;
using Portal.Components.Shared;
using Portal.Features.Workspaces;
using Provisioning.Core.Notifications;

namespace Portal.Features.Notifications;

/// <summary>
/// What the email lists accept, the platform's outbox and a tenant admin's sent emails alike, through the API and
/// on the pages: one set of rules, so both lists answer a bad filter the same way.
/// </summary>
public static class OutboxRules
{
    /// <summary>A page of emails when the request does not say.</summary>
    public const int DefaultPageSize = 20;

    public static readonly string StatusMessage = ApiEnums.OneOf<OutboxStatus>("status");

    /// <summary>"" stands for every status.</summary>
    internal static IReadOnlyList<(string Value, string Label)> StatusOptions { get; } =
        [("", "Any status"), .. Enum.GetValues<OutboxStatus>().Select(s => (DisplayFormat.Lower(s), DisplayFormat.Lower(s)))];

    /// <summary>Parses a status filter; false for anything but <c>pending</c>, <c>sent</c> or <c>failed</c>.</summary>
    public static bool TryParseStatus(string? value, out OutboxStatus? status) => ApiEnums.TryParse(value, out status);

    /// <summary>Checks a list request, keyed by the API's field names; with no errors, <paramref name="status"/> is the filter.</summary>
    public static Dictionary<string, string[]> CheckList(string? value, int? page, int? pageSize, out OutboxStatus? status)
    {
        var errors = WorkspaceRules.CheckPaging(page, pageSize);
        if (!TryParseStatus(value, out status))
        {
            errors["status"] = [StatusMessage];
        }

        return errors;
    }
}
