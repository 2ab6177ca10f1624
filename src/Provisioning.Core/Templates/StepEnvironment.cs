using System.Globalization;
using System.Text.RegularExpressions;
using Provisioning.Core.Steps;

namespace Provisioning.Core.Templates;

/// <summary>
/// The <c>PORTAL_*</c> variables a template's command step gets in its environment, and that an HTTP step's url,
/// headers and body may name as <c>${PORTAL_…}</c> (DESIGN §11). Each earlier step's outputs come as
/// <c>PORTAL_OUT_&lt;KEY&gt;</c>, the key upper-cased.
/// </summary>
public static partial class StepEnvironment
{
    public const string OutputPrefix = "PORTAL_OUT_";

    public static readonly IReadOnlyList<string> PlaceholderNames =
    [
        "PORTAL_WORKSPACE_ID", "PORTAL_WORKSPACE_NAME", "PORTAL_TENANT", "PORTAL_RELEASE_ID", "PORTAL_ARTIFACT", "PORTAL_CPU",
        "PORTAL_MEMORY_GB", "PORTAL_STEP", "PORTAL_PHASE", "PORTAL_ATTEMPT", "PORTAL_RETRY_COUNT", "PORTAL_CORRELATION_ID",
        "PORTAL_IDEMPOTENCY_KEY",
    ];

    public static bool IsPlaceholder(string name) =>
        PlaceholderNames.Contains(name) || (name.StartsWith(OutputPrefix, StringComparison.Ordinal) && OutputName().IsMatch(name[OutputPrefix.Length..]));

    /// <summary>The variable an output key is passed to later steps as: <c>db-host</c> → <c>PORTAL_OUT_DB_HOST</c>.</summary>
    public static string VariableOf(string outputKey) => OutputPrefix + outputKey.ToUpperInvariant().Replace('-', '_');

    /// <summary>
    /// The <c>PORTAL_*</c> values for <paramref name="context"/> in <paramref name="phase"/> (<c>execute</c> or
    /// <c>compensate</c>); <c>PORTAL_ARTIFACT</c> when the release has an artifact, fetched to <paramref name="artifactPath"/>.
    /// </summary>
    public static Dictionary<string, string> Variables(StepContext context, string phase, string? artifactPath)
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["PORTAL_WORKSPACE_ID"] = context.WorkspaceId.ToString(),
            ["PORTAL_WORKSPACE_NAME"] = context.WorkspaceName,
            ["PORTAL_TENANT"] = context.TenantId,
            ["PORTAL_RELEASE_ID"] = context.Release.Id,
            ["PORTAL_CPU"] = context.Cpu.ToString(CultureInfo.InvariantCulture),
            ["PORTAL_MEMORY_GB"] = context.MemoryGb.ToString(CultureInfo.InvariantCulture),
            ["PORTAL_STEP"] = context.StepName,
            ["PORTAL_PHASE"] = phase,
            ["PORTAL_ATTEMPT"] = context.Attempt.ToString(CultureInfo.InvariantCulture),
            ["PORTAL_RETRY_COUNT"] = context.RetryCount.ToString(CultureInfo.InvariantCulture),
            ["PORTAL_CORRELATION_ID"] = context.CorrelationId.ToString(),
            ["PORTAL_IDEMPOTENCY_KEY"] = context.IdempotencyKey,
        };
        if (artifactPath is not null)
        {
            variables["PORTAL_ARTIFACT"] = artifactPath;
        }

        foreach (var (key, output) in context.Outputs.Earlier)
        {
            variables[VariableOf(key)] = output.Value;
        }

        return variables;
    }

    /// <summary>Replaces <c>${PORTAL_…}</c> (and, when given, <c>${secret:NAME}</c>) in <paramref name="text"/>; unknown names become empty.</summary>
    public static string Expand(string text, IReadOnlyDictionary<string, string> variables, Func<string, string?>? secret = null) =>
        TemplateParser.Placeholder().Replace(text, match =>
        {
            var name = match.Groups["name"].Value;
            if (name.StartsWith("secret:", StringComparison.Ordinal))
            {
                return secret?.Invoke(name["secret:".Length..]) ?? "";
            }

            return variables.TryGetValue(name, out var value) ? value : "";
        });

    [GeneratedRegex("^[A-Z0-9_]+$")]
    private static partial Regex OutputName();
}
