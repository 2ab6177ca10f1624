using System.Text.RegularExpressions;
using Portal.Api;
using Provisioning.Core.Steps.Vm;
using Provisioning.Core.Workspaces;

namespace Portal.Features.Workspaces;

/// <summary>
/// The rules a workspace request must meet, shared by the API and the create dialog so both say the same.
/// A name becomes part of host and database names.
/// </summary>
public static partial class WorkspaceRules
{
    public const int MinCpu = 1;
    public const int MaxCpu = ValidateRequestStep.MaxCpu;
    public const int MinMemoryGb = 1;
    public const int MaxMemoryGb = ValidateRequestStep.MaxMemoryGb;
    public const int MaxPageSize = 100;

    /// <summary>Most lines one request for a step's log returns.</summary>
    public const int MaxLogLinesPerPage = 1000;

    public const string NameMessage =
        "Use 3–63 characters: lowercase letters, digits and hyphens, starting with a letter.";

    public static string? CheckName(string? name) =>
        string.IsNullOrEmpty(name) ? "A name is required." : NamePattern().IsMatch(name) ? null : NameMessage;

    public static string? CheckCpu(int? cpu) =>
        cpu is null or (>= MinCpu and <= MaxCpu) ? null : $"CPU must be between {MinCpu} and {MaxCpu}.";

    public static string? CheckMemory(int? memoryGb) =>
        memoryGb is null or (>= MinMemoryGb and <= MaxMemoryGb) ? null : $"Memory must be between {MinMemoryGb} and {MaxMemoryGb} GB.";

    /// <summary>Parses a status filter; false for anything that is not one of the workspace statuses.</summary>
    public static bool TryParseStatus(string? value, out WorkspaceStatus? status) => ApiEnums.TryParse(value, out status);

    public static Dictionary<string, string[]> CheckPaging(int? page, int? pageSize)
    {
        var errors = new Dictionary<string, string[]>();
        if (page is < 1)
        {
            errors["page"] = ["page must be 1 or more."];
        }

        if (pageSize is < 1 or > MaxPageSize)
        {
            errors["page_size"] = [$"page_size must be between 1 and {MaxPageSize}."];
        }

        return errors;
    }

    // \z, not $: $ also matches before a final newline.
    [GeneratedRegex(@"^[a-z][a-z0-9-]{2,62}\z", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();
}
