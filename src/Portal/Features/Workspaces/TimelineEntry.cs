using System.Globalization;
using System.Text.Json;
using Provisioning.Core.Workspaces;

namespace Portal.Features.Workspaces;

/// <summary>How an event looks in the timeline: a failure, a warning (an automatic retry), good news, or plain information.</summary>
public enum TimelineTone
{
    Info,
    Success,
    Warning,
    Failure,
    Cleanup,
}

/// <summary>One event of the timeline as a short sentence a person understands.</summary>
public sealed record TimelineEntry(long Sequence, string Type, DateTimeOffset OccurredAt, string Actor, string Sentence, TimelineTone Tone)
{
    public bool IsFailure => Tone == TimelineTone.Failure;

    /// <summary>
    /// The timeline, oldest first. A step's "started" is left out once that run of the step has finished or failed:
    /// the later entry says it all, and the timeline stays half as long.
    /// </summary>
    public static IReadOnlyList<TimelineEntry> Build(IEnumerable<EventView> events)
    {
        var ordered = events.OrderBy(e => e.Sequence).ToList();
        var keep = new bool[ordered.Count];
        var endedLater = new HashSet<string>(StringComparer.Ordinal);
        for (var i = ordered.Count - 1; i >= 0; i--)
        {
            var e = ordered[i];
            var step = Text(e.Payload, "step") ?? "";
            keep[i] = true;
            if (e.Type is WorkspaceEventTypes.StepSucceeded or WorkspaceEventTypes.StepFailed)
            {
                endedLater.Add(step);
            }
            else if (e.Type == WorkspaceEventTypes.StepStarted && endedLater.Remove(step))
            {
                keep[i] = false;
            }
        }

        return ordered.Where((_, i) => keep[i]).Select(From).ToList();
    }

    public static TimelineEntry From(EventView e)
    {
        var p = e.Payload;
        var step = WorkspaceText.StepTitle(Text(p, "step") ?? "");
        var code = Text(p, "error_code");
        var message = Text(p, "error_message");
        var error = message is null ? code ?? "" : code is null ? message : $"{message} ({code})";
        var (sentence, tone) = e.Type switch
        {
            WorkspaceEventTypes.Requested => (
                $"{e.Actor} requested the workspace: {Text(p, "release_id")}, {Number(p, "cpu")} CPU, {Number(p, "memory_gb")} GB memory.",
                TimelineTone.Info),
            WorkspaceEventTypes.AttemptStarted => (AttemptStarted(e.Actor, p), TimelineTone.Info),
            WorkspaceEventTypes.StepStarted => (
                Number(p, "retry_count") is > 0 and var retries ? $"{step} started again (after {retries} automatic {(retries == 1 ? "retry" : "retries")})." : $"{step} started.",
                TimelineTone.Info),
            WorkspaceEventTypes.StepRetryScheduled => (
                $"{step} hit a temporary problem: {error}. Next try in {Seconds(p, "delay_seconds")} s (try {Number(p, "attempt")} of {Number(p, "max_attempts")}).",
                TimelineTone.Warning),
            WorkspaceEventTypes.StepSucceeded => (
                Number(p, "duration_ms") is { } ms ? $"{step} finished in {WorkspaceText.Duration(TimeSpan.FromMilliseconds(ms))}." : $"{step} finished.",
                TimelineTone.Success),
            WorkspaceEventTypes.StepFailed => ($"{step} failed: {error}", TimelineTone.Failure),
            WorkspaceEventTypes.ResourceReleased => ($"Cleaned up what {step} had created{Resources(p)}.", TimelineTone.Cleanup),
            WorkspaceEventTypes.ResourceRetained => ($"Kept what {step} had created{Resources(p)}, so a retry can reuse it.", TimelineTone.Cleanup),
            WorkspaceEventTypes.CompensationFailed => (
                $"Could not clean up what {step} had created{Resources(p)}. An administrator has been told and will remove it.",
                TimelineTone.Failure),
            WorkspaceEventTypes.Succeeded => (Number(p, "attempt") is > 1 and var n ? $"The workspace is ready (run {n})." : "The workspace is ready.", TimelineTone.Success),
            WorkspaceEventTypes.Failed => (
                step.Length > 0 ? $"Provisioning failed at {step}: {error}" : $"Provisioning failed: {error}",
                TimelineTone.Failure),
            WorkspaceEventTypes.Resized => (
                $"{e.Actor} changed the size from {Number(p, "from_cpu")} CPU, {Number(p, "from_memory_gb")} GB to {Number(p, "cpu")} CPU, {Number(p, "memory_gb")} GB for the retry.",
                TimelineTone.Info),
            WorkspaceEventTypes.RetryRejected => ($"{e.Actor} pressed Retry, but it could not start: {error}", TimelineTone.Failure),
            WorkspaceEventTypes.DeprovisioningStarted => ($"{e.Actor} asked to delete the workspace.", TimelineTone.Info),
            WorkspaceEventTypes.DeprovisioningFailed => ($"The deletion could not finish: {error}", TimelineTone.Failure),
            WorkspaceEventTypes.Deleted => ("The workspace was deleted and all its resources released.", TimelineTone.Info),
            WorkspaceEventTypes.OrphanCleaned => ($"{e.Actor} cleaned up what {step} had left behind{Resources(p)}.", TimelineTone.Cleanup),
            _ => (e.Type, TimelineTone.Info),
        };
        return new TimelineEntry(e.Sequence, e.Type, e.OccurredAt, e.Actor, sentence, tone);
    }

    private static string AttemptStarted(string actor, JsonElement p)
    {
        var attempt = Number(p, "attempt") ?? 1;
        var resume = Text(p, "resume_from");
        return Text(p, "trigger") == "retry"
            ? $"{actor} pressed Retry: run {attempt} started{(resume is null ? "" : $", resuming at {WorkspaceText.StepTitle(resume)}")}."
            : $"Provisioning started (run {attempt}).";
    }

    private static string Resources(JsonElement p)
    {
        if (!p.TryGetProperty("resources", out var list) || list.ValueKind != JsonValueKind.Array || list.GetArrayLength() == 0)
        {
            return "";
        }

        var names = list.EnumerateArray()
            .Select(r => r.ValueKind == JsonValueKind.Object && r.TryGetProperty("kind", out var kind) ? kind.GetString() : null)
            .OfType<string>()
            .Select(k => k.Replace('_', ' '))
            .ToList();
        return names.Count == 0 ? "" : $" ({string.Join(", ", names)})";
    }

    private static string? Text(JsonElement p, string name) =>
        p.ValueKind == JsonValueKind.Object && p.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static long? Number(JsonElement p, string name) =>
        p.ValueKind == JsonValueKind.Object && p.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var n) ? n : null;

    private static string Seconds(JsonElement p, string name) =>
        p.ValueKind == JsonValueKind.Object && p.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number
            ? Math.Round(v.GetDouble(), 1).ToString(CultureInfo.InvariantCulture)
            : "?";
}
