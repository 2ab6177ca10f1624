using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Portal.Components.Shared;

/// <summary>How the admin pages write times, ids and JSON: one format everywhere, the same for every viewer.</summary>
public static class DisplayFormat
{
    private static readonly JsonSerializerOptions Indented = new()
    {
        WriteIndented = true,
        // Exception text is full of quotes and angle brackets; keep it readable, Razor encodes the output.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>UTC, to the second: the server does not know the viewer's time zone, and logs are in UTC too.</summary>
    public static string Timestamp(DateTimeOffset? value) =>
        value is { } v ? v.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " UTC" : "—";

    /// <summary>JSON indented for reading; text that is not JSON is shown as it is.</summary>
    public static string PrettyJson(string? json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return "";
        }

        try
        {
            return JsonNode.Parse(json) is { } node ? node.ToJsonString(Indented) : json;
        }
        catch (JsonException)
        {
            return json;
        }
    }

    public static string Lower<TEnum>(TEnum value) where TEnum : struct, Enum =>
        value.ToString().ToLowerInvariant();

    /// <summary>A count with its noun: "1 workspace", "3 workspaces".</summary>
    public static string Count(int count, string singular, string? plural = null) =>
        string.Create(CultureInfo.InvariantCulture, $"{count} {(count == 1 ? singular : plural ?? singular + "s")}");
}
