using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Logging;
using Provisioning.Core.Persistence;

namespace Provisioning.Core.Workspaces;

/// <summary>Something happened to a workspace and is committed: pages showing it should refresh.</summary>
public sealed record WorkspaceChanged(Guid WorkspaceId, string TenantId, long Sequence, string Type, DateTimeOffset OccurredAt)
{
    /// <summary>
    /// Only new lines in a step's log (<see cref="WorkspaceEventTypes.StepLogAppended"/>, no event of the timeline): the
    /// log panel takes them; nothing else about the workspace changed.
    /// </summary>
    public bool IsStepLog => Type == WorkspaceEventTypes.StepLogAppended;
}

/// <summary>
/// Live updates of committed workspace events. The in-process implementation serves one node; a PostgreSQL
/// LISTEN/NOTIFY implementation can serve several behind the same interface.
/// </summary>
public interface IWorkspaceUpdates
{
    /// <summary>Calls <paramref name="handler"/> for every committed change of the tenant (all tenants when null).</summary>
    IDisposable Subscribe(string? tenantId, Action<WorkspaceChanged> handler);

    void Publish(IReadOnlyList<WorkspaceChanged> changes);
}

/// <summary>Fans committed changes out to the subscribers in this process.</summary>
public sealed partial class InProcessWorkspaceUpdates(ILogger<InProcessWorkspaceUpdates> logger) : IWorkspaceUpdates
{
    private readonly ConcurrentDictionary<Guid, (string? TenantId, Action<WorkspaceChanged> Handler)> _subscribers = new();

    public int SubscriberCount => _subscribers.Count;

    public IDisposable Subscribe(string? tenantId, Action<WorkspaceChanged> handler)
    {
        var id = Guid.NewGuid();
        _subscribers[id] = (tenantId, handler);
        return new Subscription(() => _subscribers.TryRemove(id, out _));
    }

    public void Publish(IReadOnlyList<WorkspaceChanged> changes)
    {
        // Enumerating the dictionary itself takes no lock; its Values property would take all of them on every save.
        foreach (var (_, (tenantId, handler)) in _subscribers)
        {
            foreach (var change in changes)
            {
                if (tenantId is not null && tenantId != change.TenantId)
                {
                    continue;
                }

                try
                {
                    handler(change);
                }
                catch (Exception e)
                {
                    // One broken page must not stop the others, nor the engine that published.
                    LogSubscriberFailed(e);
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A live-update subscriber failed")]
    private partial void LogSubscriberFailed(Exception exception);

    private sealed class Subscription(Action dispose) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                dispose();
            }
        }
    }
}

/// <summary>Publishes workspace events once the save that wrote them has committed.</summary>
internal sealed class PublishCommittedEvents(IWorkspaceUpdates updates) : SaveChangesInterceptor
{
    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is ProvisioningDbContext context)
        {
            var added = context.ChangeTracker.Entries<WorkspaceEvent>().Where(e => e.State == EntityState.Added).Select(e => e.Entity).ToList();
            context.EventsBeingSaved = added.Count > 0 ? added : null;
        }

        return ValueTask.FromResult(result);
    }

    public override ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is ProvisioningDbContext { EventsBeingSaved: { } saved } context)
        {
            context.EventsBeingSaved = null;
            updates.Publish(saved.OrderBy(e => e.Sequence).Select(e => new WorkspaceChanged(e.WorkspaceId, e.TenantId, e.Sequence, e.Type, e.OccurredAt)).ToList());
        }

        return ValueTask.FromResult(result);
    }

    public override Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is ProvisioningDbContext context)
        {
            context.EventsBeingSaved = null;
        }

        return Task.CompletedTask;
    }
}
