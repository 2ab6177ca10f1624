using System.Text.Json;

namespace Portal.Tests.TestInfrastructure;

/// <summary>
/// How a workspace ended, as the API shows it, in the terms two runs of the same story are compared in: status and
/// error, each step's state, each resource's state, what the simulator holds for it, the emails it caused, and its
/// timeline without <c>step.started</c> (a step running at a stop is started again; nothing else may repeat).
/// </summary>
public sealed record WorkspaceSnapshot(
    Guid Id, string Name, string Status, string? ErrorCode, IReadOnlyList<string> Steps, IReadOnlyList<string> Resources,
    IReadOnlyList<string> Inventory, IReadOnlyList<string> Emails, IReadOnlyList<string> Timeline, IReadOnlyList<string> WrongStarts)
{
    /// <summary>
    /// Reads the workspace through the API. <paramref name="inventory"/> and <paramref name="outbox"/> are the
    /// platform's whole lists, read once for many workspaces.
    /// </summary>
    public static async Task<WorkspaceSnapshot> ReadAsync(
        PortalApiClient api, Guid id, IReadOnlyList<JsonElement> inventory, IReadOnlyList<JsonElement> outbox, CancellationToken cancellationToken)
    {
        var detail = await api.WorkspaceAsync(id, cancellationToken);
        var events = await api.EventsAsync(id, cancellationToken);
        var resources = await api.ResourcesAsync(id, cancellationToken);
        return new WorkspaceSnapshot(
            id,
            detail.Str("name")!,
            detail.Str("status")!,
            detail.Str("error_code"),
            [.. detail.GetProperty("steps").EnumerateArray().Select(s => $"{s.Str("name")} {s.Str("status")}")],
            [.. resources.Select(r => $"{r.Str("step")} {r.Str("kind")} {r.Str("state")}").Order(StringComparer.Ordinal)],
            [.. inventory.Where(r => r.GetProperty("workspace_id").GetGuid() == id && r.Str("state") == "active").Select(r => r.Str("kind")!).Order(StringComparer.Ordinal)],
            [.. outbox.Where(m => m.TryGetProperty("workspace_id", out var w) && w.ValueKind == JsonValueKind.String && w.GetGuid() == id)
                .Select(m => $"{m.Str("recipient")} {m.Str("template")}").Order(StringComparer.Ordinal)],
            [.. events.Where(e => e.Str("type") != "step.started").Select(e => $"{e.Str("type")} {StepOf(e)}".TrimEnd())],
            WrongStartsIn(events));
    }

    /// <summary>The differences from how <paramref name="reference"/> ended, one line each; empty when it ended the same way.</summary>
    public IReadOnlyList<string> DifferencesFrom(WorkspaceSnapshot reference)
    {
        var differences = new List<string>();
        Compare("status", Status, reference.Status);
        Compare("error code", ErrorCode ?? "(none)", reference.ErrorCode ?? "(none)");
        Compare("steps", Steps, reference.Steps);
        Compare("resources", Resources, reference.Resources);
        Compare("simulator inventory", Inventory, reference.Inventory);
        Compare("emails", Emails, reference.Emails);
        Compare("timeline (without step.started)", Timeline, reference.Timeline);
        differences.AddRange(WrongStarts);
        return differences;

        void Compare<T>(string what, T actual, T expected)
        {
            var a = actual is IEnumerable<string> list ? string.Join(" | ", list) : $"{actual}";
            var e = expected is IEnumerable<string> other ? string.Join(" | ", other) : $"{expected}";
            if (a != e)
            {
                differences.Add($"{what}: {a}\n    without a stop: {e}");
            }
        }
    }

    /// <summary>Within one attempt, a step started after it succeeded, or any step started after a step failed.</summary>
    public static IReadOnlyList<string> WrongStartsIn(IReadOnlyList<JsonElement> events)
    {
        var wrong = new List<string>();
        foreach (var attempt in events.GroupBy(e => e.Str("correlation_id")))
        {
            var succeeded = new HashSet<string>(StringComparer.Ordinal);
            string? failed = null;
            foreach (var e in attempt)
            {
                var step = StepOf(e);
                switch (e.Str("type"))
                {
                    case "step.started" when failed is not null:
                        wrong.Add($"{step} started after {failed} failed, in attempt {attempt.Key}");
                        break;
                    case "step.started" when succeeded.Contains(step!):
                        wrong.Add($"{step} started again after it succeeded, in attempt {attempt.Key}");
                        break;
                    case "step.succeeded":
                        succeeded.Add(step!);
                        break;
                    case "step.failed":
                        failed = step;
                        break;
                }
            }
        }

        return wrong;
    }

    public static string? StepOf(JsonElement @event) =>
        @event.TryGetProperty("payload", out var payload) && payload.ValueKind == JsonValueKind.Object ? payload.Str("step") : null;

    public override string ToString() => $"{Name} ({Id}): {Status} {ErrorCode}\n  " + string.Join("\n  ", Timeline);
}
