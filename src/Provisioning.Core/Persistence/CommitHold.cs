using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Provisioning.Core.Workspaces;

namespace Provisioning.Core.Persistence;

/// <summary>A workspace held right after one of its commits, and the events that commit wrote (type, and step if any).</summary>
public sealed record HeldCommit(Guid WorkspaceId, string WorkspaceName, int Commit, IReadOnlyList<string> Events);

/// <summary>
/// Crash-point tests only (ADR-009): holds a workspace's work right after its n-th commit that wrote events, so a
/// test can stop the process exactly at that boundary. Enabled by <c>Testing:HoldAfterCommit</c>, a workspace name
/// prefix that production never sets: a workspace named <c>{prefix}{n}-…</c> is held after its n-th commit (its
/// creation is the first) until the save's caller is cancelled or the host stops, and nothing else is touched.
/// </summary>
/// <remarks>
/// The hold happens after the commit, after the other interceptors have seen it (live updates are published) and
/// outside the SQLite write gate (<see cref="ProvisioningDbContext.AfterCommit"/>), so other work goes on and what a
/// stopped process leaves is exactly what that commit wrote. Each hold is logged at Warning
/// (<c>Holding workspace NAME (ID) after its commit N: EVENTS</c>), which is what a test watching the process waits for.
/// </remarks>
public sealed partial class CommitHold : SaveChangesInterceptor
{
    public const string Setting = "Testing:HoldAfterCommit";

    private readonly string _prefix;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly ILogger<CommitHold> _logger;
    private readonly ConcurrentDictionary<Guid, int> _commits = new();
    private readonly ConditionalWeakTable<DbContext, List<HeldCommit>> _saving = [];
    private readonly ConcurrentDictionary<string, TaskCompletionSource<HeldCommit>> _held = new(StringComparer.Ordinal);

    public CommitHold(string prefix, IHostApplicationLifetime lifetime, ILogger<CommitHold> logger)
    {
        _prefix = prefix;
        _lifetime = lifetime;
        _logger = logger;
        LogEnabled(Setting, prefix);
    }

    /// <summary>Completes once the workspace of this name is held.</summary>
    public Task<HeldCommit> WhenHeldAsync(string workspaceName) =>
        _held.GetOrAdd(workspaceName, _ => new TaskCompletionSource<HeldCommit>(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(
        DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is { } context)
        {
            // The workspace's own list keeps the order it recorded them in.
            var commits = context.ChangeTracker.Entries<Workspace>()
                .Select(w => w.Entity)
                .Where(w => w.PendingEvents.Count > 0 && w.Name.StartsWith(_prefix, StringComparison.Ordinal))
                .Select(w => new HeldCommit(w.Id, w.Name, 0, [.. w.PendingEvents.Select(Describe)]))
                .ToList();
            if (commits.Count > 0)
            {
                _saving.AddOrUpdate(context, commits);
            }
        }

        return ValueTask.FromResult(result);
    }

    public override ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is not ProvisioningDbContext context || !_saving.TryGetValue(context, out var commits))
        {
            return ValueTask.FromResult(result);
        }

        _saving.Remove(context);
        foreach (var commit in commits)
        {
            var number = _commits.AddOrUpdate(commit.WorkspaceId, 1, (_, n) => n + 1);
            if (number == HoldAt(commit.WorkspaceName))
            {
                var held = commit with { Commit = number };
                context.AfterCommit = token => HoldAsync(held, token);
            }
        }

        return ValueTask.FromResult(result);
    }

    private async Task HoldAsync(HeldCommit held, CancellationToken cancellationToken)
    {
        LogHolding(held.WorkspaceName, held.WorkspaceId, held.Commit, string.Join(", ", held.Events));
        _held.GetOrAdd(held.WorkspaceName, _ => new TaskCompletionSource<HeldCommit>(TaskCreationOptions.RunContinuationsAsynchronously))
            .TrySetResult(held);
        using var released = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _lifetime.ApplicationStopping);
        await Task.Delay(Timeout.InfiniteTimeSpan, released.Token);
    }

    public override Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is { } context)
        {
            _saving.Remove(context);
        }

        return Task.CompletedTask;
    }

    private static string Describe(WorkspaceEvent e)
    {
        using var payload = JsonDocument.Parse(e.Payload);
        return payload.RootElement.TryGetProperty("step", out var step) && step.ValueKind == JsonValueKind.String ? $"{e.Type} {step.GetString()}" : e.Type;
    }

    /// <summary>The commit to hold after: the number that follows the prefix (<c>hold-07-app</c> → 7), or none.</summary>
    private int HoldAt(string name)
    {
        var digits = name.AsSpan(_prefix.Length);
        var length = 0;
        while (length < digits.Length && char.IsAsciiDigit(digits[length]))
        {
            length++;
        }

        return length > 0 && int.TryParse(digits[..length], NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : -1;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Setting} is set to '{Prefix}': workspaces so named are held after a commit, for crash-point tests. Never set it in production")]
    private partial void LogEnabled(string setting, string prefix);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Holding workspace {WorkspaceName} ({WorkspaceId}) after its commit {Commit}: {Events}")]
    private partial void LogHolding(string workspaceName, Guid workspaceId, int commit, string events);
}
