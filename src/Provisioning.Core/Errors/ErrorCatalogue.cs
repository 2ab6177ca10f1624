using System.Collections.Frozen;

namespace Provisioning.Core.Errors;

/// <summary>Whether an error is worth retrying automatically inside the step.</summary>
public enum ErrorClass
{
    Transient,
    Permanent,
}

/// <summary>
/// One row of the error catalogue: what the code means and what the user is told. A transient code has a second text,
/// <see cref="GaveUpMessage"/>, for when its automatic tries are used up: "we will retry" is no longer true then.
/// </summary>
public sealed record CatalogueEntry(string Code, ErrorClass Class, string UserMessage, string SuggestedAction, string? GaveUpMessage = null)
{
    public bool IsTransient => Class == ErrorClass.Transient;

    /// <summary>A few plain words for lists, where the full message does not fit ("Release not available").</summary>
    public required string ShortReason { get; init; }

    /// <summary>What the user is told once the attempt failed with this code after <paramref name="tries"/> tries over <paramref name="over"/>.</summary>
    public string MessageOnceFailed(int tries, TimeSpan over) => GaveUpMessage is { } gaveUp
        ? gaveUp.Replace("{tries}", tries == 1 ? "1 try" : $"{tries} tries", StringComparison.Ordinal)
            .Replace("{over}", over < TimeSpan.FromSeconds(1) ? "" : $" over {About(over)}", StringComparison.Ordinal)
        : UserMessage;

    /// <summary>"about 40 seconds", "about 2 minutes", "about 1 hour".</summary>
    public static string About(TimeSpan span) => span switch
    {
        { TotalSeconds: < 90 } => Unit((int)Math.Round(span.TotalSeconds), "second"),
        { TotalMinutes: < 90 } => Unit((int)Math.Round(span.TotalMinutes), "minute"),
        _ => Unit((int)Math.Round(span.TotalHours), "hour"),
    };

    private static string Unit(int count, string unit) => $"about {count} {unit}{(count == 1 ? "" : "s")}";
}

/// <summary>
/// The error catalogue (DESIGN §4). This is the only place user-facing error messages are written:
/// everything else refers to an entry by its code.
/// </summary>
public static class ErrorCatalogue
{
    public const string ReleaseUnavailable = "release_unavailable";
    public const string ChecksumMismatch = "checksum_mismatch";
    public const string RuntimeTimeout = "runtime_timeout";
    public const string InsufficientResources = "insufficient_resources";
    public const string DatastoreNotAvailable = "datastore_not_available";
    public const string VmConfigInvalid = "vm_config_invalid";
    public const string ConnectionFailed = "connection_failed";
    public const string TemplateNotFound = "template_not_found";
    public const string NetworkConfigFailed = "network_config_failed";
    public const string ToolsTimeout = "tools_timeout";
    public const string ConnectionTimeout = "connection_timeout";
    public const string ServiceUnavailable = "service_unavailable";
    public const string Unknown = "unknown";
    public const string InternalError = "internal_error";

    private static readonly FrozenDictionary<string, CatalogueEntry> Entries = new CatalogueEntry[]
    {
        new(ReleaseUnavailable, ErrorClass.Permanent,
            "The release artifact is not available. An administrator has been notified; retry once it is published.",
            "Retry once the release has been published.") { ShortReason = "Release not available" },
        new(ChecksumMismatch, ErrorClass.Permanent,
            "The release artifact failed its integrity check. IT has been notified.",
            "Retry once IT has republished the release.") { ShortReason = "Release failed its integrity check" },
        new(RuntimeTimeout, ErrorClass.Permanent,
            "The workspace did not become ready in time. You can retry.",
            "Press Retry to try again.") { ShortReason = "Not ready in time" },
        // Permanent for the automatic retries; a manual retry may succeed once capacity frees up.
        new(InsufficientResources, ErrorClass.Permanent,
            "Cluster capacity reached. Please try a smaller size or contact support.",
            "Retry later, request a smaller size, or contact support.") { ShortReason = "Not enough capacity" },
        new(DatastoreNotAvailable, ErrorClass.Permanent,
            "Storage unavailable. Please contact support.",
            "Contact support.") { ShortReason = "Storage unavailable" },
        new(VmConfigInvalid, ErrorClass.Permanent,
            "Invalid configuration. Please check your request parameters.",
            "Check the requested size and settings, then request again.") { ShortReason = "Invalid configuration" },
        new(ConnectionFailed, ErrorClass.Permanent,
            "System authentication failed. IT has been notified.",
            "Retry once IT has fixed the connection.") { ShortReason = "Sign-in to a system failed" },
        new(TemplateNotFound, ErrorClass.Permanent,
            "VM template missing. IT has been notified.",
            "Retry once IT has restored the template.") { ShortReason = "VM template missing" },
        new(NetworkConfigFailed, ErrorClass.Transient,
            "Network setup failed. IT has been notified.",
            "Press Retry to try again.",
            "Network setup kept failing after {tries}{over}. IT has been notified, and we stopped trying. Press Retry, or try again later.") { ShortReason = "Network setup failed" },
        new(ToolsTimeout, ErrorClass.Permanent,
            "VM started but tools didn't respond. Please restart the VM.",
            "Restart the VM, then press Retry.") { ShortReason = "VM tools did not respond" },
        new(ConnectionTimeout, ErrorClass.Transient,
            "Temporary connection issue. We will retry automatically.",
            "Press Retry to try again.",
            "The connection to a platform service kept failing after {tries}{over}. We stopped trying. Press Retry, or try again later.") { ShortReason = "Connection kept failing" },
        new(ServiceUnavailable, ErrorClass.Transient,
            "A platform service is temporarily unavailable. We will retry automatically.",
            "Press Retry to try again.",
            "A platform service stayed unavailable after {tries}{over}. We stopped trying. Press Retry, or try again later.") { ShortReason = "A service was unavailable" },
        new(Unknown, ErrorClass.Permanent,
            "Unexpected error. IT has been notified.",
            "Press Retry; contact support if it keeps failing.") { ShortReason = "Unexpected error" },
        // Not the infrastructure's fault but the portal's: it could not carry on an attempt (or a deletion).
        new(InternalError, ErrorClass.Permanent,
            "Something went wrong on our side. IT has been notified; you can retry.",
            "Press Retry; contact support if it keeps failing.") { ShortReason = "Portal error" },
    }.ToFrozenDictionary(e => e.Code, StringComparer.Ordinal);

    public static IReadOnlyCollection<CatalogueEntry> All => Entries.Values;

    public static bool IsKnown(string code) => Entries.ContainsKey(code);

    /// <summary>The entry for a code; an unmapped code is treated as <see cref="Unknown"/>.</summary>
    public static CatalogueEntry Get(string code) =>
        Entries.TryGetValue(code, out var entry) ? entry : Entries[Unknown];
}
