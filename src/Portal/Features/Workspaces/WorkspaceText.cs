using System.Globalization;
using Provisioning.Core.Workspaces;

namespace Portal.Features.Workspaces;

/// <summary>How the workspace pages write step names, statuses, durations and times: one way everywhere.</summary>
public static class WorkspaceText
{
    private static readonly HashSet<string> Acronyms = new(["api", "vm", "ip", "dns"], StringComparer.Ordinal);

    /// <summary><c>fetch_release</c> → "Fetch release", <c>generate_api_keys</c> → "Generate API keys".</summary>
    public static string StepTitle(string step)
    {
        if (string.IsNullOrEmpty(step))
        {
            return "";
        }

        var words = string.Join(' ', step.Split('_').Select(w => Acronyms.Contains(w) ? w.ToUpperInvariant() : w));
        return char.ToUpperInvariant(words[0]) + words[1..];
    }

    public static string Status(WorkspaceStatus status) => status.ToString().ToLowerInvariant();

    public static string Status(StepStatus status) => status.ToString().ToLowerInvariant();

    /// <summary>"850 ms", "12 s", "2 min 5 s", "1 h 3 min".</summary>
    public static string Duration(TimeSpan duration)
    {
        if (duration < TimeSpan.Zero)
        {
            duration = TimeSpan.Zero;
        }

        return duration switch
        {
            { TotalSeconds: < 1 } => string.Create(CultureInfo.InvariantCulture, $"{(int)duration.TotalMilliseconds} ms"),
            { TotalMinutes: < 1 } => string.Create(CultureInfo.InvariantCulture, $"{(int)duration.TotalSeconds} s"),
            { TotalHours: < 1 } => string.Create(CultureInfo.InvariantCulture, $"{(int)duration.TotalMinutes} min {duration.Seconds} s"),
            _ => string.Create(CultureInfo.InvariantCulture, $"{(int)duration.TotalHours} h {duration.Minutes} min"),
        };
    }

    /// <summary>Whole seconds left until <paramref name="at"/>, rounded up (a countdown never shows 0 while still waiting).</summary>
    public static int SecondsUntil(DateTimeOffset at, DateTimeOffset now) =>
        Math.Max(0, (int)Math.Ceiling((at - now).TotalSeconds));

    /// <summary>UTC to the second: the server does not know the viewer's time zone.</summary>
    public static string Timestamp(DateTimeOffset at) =>
        at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " UTC";

    public static string Time(DateTimeOffset at) =>
        at.UtcDateTime.ToString("HH:mm:ss", CultureInfo.InvariantCulture);
}
