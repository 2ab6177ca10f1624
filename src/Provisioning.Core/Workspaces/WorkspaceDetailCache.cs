using Microsoft.Extensions.Caching.Memory;

namespace Provisioning.Core.Workspaces;

/// <summary>
/// The details of recently read workspaces, so that clients polling a workspace (scripts waiting for
/// <c>ready</c>, pages, CLIs) do not each cost three queries. It is correct because of two rules the rest of the
/// code keeps: every change of a workspace, its steps or its attempts commits together with an event (each of
/// <see cref="Workspace"/>'s mutators records one), and every committed event is published through
/// <see cref="IWorkspaceUpdates"/> before <c>SaveChangesAsync</c> returns. A publication drops the entry and moves
/// its stripe's generation on; an entry is served only while its stripe is still at the generation seen before
/// the database was read, so a read that raced with a commit is never served afterwards. Across several nodes
/// the same holds once <see cref="IWorkspaceUpdates"/> fans out between them (PostgreSQL LISTEN/NOTIFY).
/// </summary>
public sealed class WorkspaceDetailCache : IDisposable
{
    /// <summary>About 2 KB each with six steps: at most some 40 MB, the most recently read first to stay.</summary>
    public const int Capacity = 20_000;

    // Generations per stripe rather than per workspace keep the memory fixed however many workspaces change;
    // a change makes the few other workspaces of its stripe read the database once more, never serve stale data.
    private const int Stripes = 1 << 14;

    private readonly long[] _generations = new long[Stripes];
    private readonly MemoryCache _entries = new(new MemoryCacheOptions { SizeLimit = Capacity });
    private readonly IDisposable _subscription;

    public WorkspaceDetailCache(IWorkspaceUpdates updates) =>
        _subscription = updates.Subscribe(tenantId: null, Invalidate);

    /// <summary>Take this before reading the database, and hand it to <see cref="Store"/> with what was read.</summary>
    public long Generation(Guid workspaceId) => Volatile.Read(ref _generations[Stripe(workspaceId)]);

    public bool TryGet(string tenantId, Guid workspaceId, out WorkspaceDetail detail)
    {
        if (_entries.TryGetValue(workspaceId, out Entry? entry)
            && entry!.TenantId == tenantId
            && entry.Generation == Generation(workspaceId))
        {
            detail = entry.Detail;
            return true;
        }

        detail = null!;
        return false;
    }

    public void Store(string tenantId, Guid workspaceId, long generation, WorkspaceDetail detail)
    {
        if (generation == Generation(workspaceId))
        {
            _entries.Set(workspaceId, new Entry(tenantId, generation, detail), new MemoryCacheEntryOptions { Size = 1 });
        }
    }

    /// <summary>Treats every workspace as changed: for when changes may have been missed (a lost listening connection).</summary>
    public void Clear()
    {
        for (var i = 0; i < Stripes; i++)
        {
            Interlocked.Increment(ref _generations[i]);
        }

        _entries.Compact(1.0);
    }

    public void Dispose()
    {
        _subscription.Dispose();
        _entries.Dispose();
    }

    private void Invalidate(WorkspaceChanged change)
    {
        if (change.IsStepLog)
        {
            return;
        }

        Interlocked.Increment(ref _generations[Stripe(change.WorkspaceId)]);
        _entries.Remove(change.WorkspaceId);
    }

    private static int Stripe(Guid workspaceId) => workspaceId.GetHashCode() & (Stripes - 1);

    private sealed record Entry(string TenantId, long Generation, WorkspaceDetail Detail);
}
