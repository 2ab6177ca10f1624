using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Provisioning.Core.Workspaces;

namespace Provisioning.Core.Persistence;

/// <summary>A workspace held right after one of its commits, and the events that commit wrote.</summary>
public sealed record HeldCommit(Guid WorkspaceId, string WorkspaceName, int Commit, IReadOnlyList<string> EventTypes);

/// <summary>
/// Crash-point tests only (ADR-009): holds a workspace's work right after its n-th commit that wrote events, so a
/// test can stop the process exactly at that boundary. Enabled by <c>Testing:HoldAfterCommit</c>, a workspace name
/// prefix that production never sets: a workspace named <c>{prefix}{n}-…</c> is held after its n-th commit (its
/// creation is the first) until the save's caller is cancelled or the host stops, and nothing else is touched.
/// </summary>
/// <remarks>
/// The hold happens after the commit and after the other interceptors have seen it (live updates are published),
/// so what the stopped process leaves is exactly what that commit wrote. Each hold is logged at Warning
/// (<c>Holding workspace NAME … after its commit N</c>), which is what a test watching the process waits for.
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
            var names = context.ChangeTracker.Entries<Workspace>().ToDictionary(w => w.Entity.Id, w => w.Entity.Name);
            var commits = context.ChangeTracker.Entries<WorkspaceEvent>()
                .Where(e => e.State == EntityState.Added)
                .GroupBy(e => e.Entity.WorkspaceId)
                .Where(g => names.TryGetValue(g.Key, out var name) && name.StartsWith(_prefix, StringComparison.Ordinal))
                .Select(g => new HeldCommit(g.Key, names[g.Key], 0, [.. g.Select(e => e.Entity.Type)]))
                .ToList();
            if (commits.Count > 0)
            {
                _saving.AddOrUpdate(context, commits);
            }
        }

        return ValueTask.FromResult(result);
    }

    public override async ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is not { } context || !_saving.TryGetValue(context, out var commits))
        {
            return result;
        }

        _saving.Remove(context);
        foreach (var commit in commits)
        {
            var number = _commits.AddOrUpdate(commit.WorkspaceId, 1, (_, n) => n + 1);
            if (number != HoldAt(commit.WorkspaceName))
            {
                continue;
            }

            var held = commit with { Commit = number };
            LogHolding(held.WorkspaceName, held.WorkspaceId, number, string.Join(", ", held.EventTypes));
            _held.GetOrAdd(held.WorkspaceName, _ => new TaskCompletionSource<HeldCommit>(TaskCreationOptions.RunContinuationsAsynchronously))
                .TrySetResult(held);
            using var released = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _lifetime.ApplicationStopping);
            await Task.Delay(Timeout.InfiniteTimeSpan, released.Token);
        }

        return result;
    }

    public override Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is { } context)
        {
            _saving.Remove(context);
        }

        return Task.CompletedTask;
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Holding workspace {WorkspaceName} ({WorkspaceId}) after its commit {Commit}: {EventTypes}")]
    private partial void LogHolding(string workspaceName, Guid workspaceId, int commit, string eventTypes);
}
