using System.Collections.Concurrent;
using Provisioning.Core.Scheduling;

namespace Provisioning.Benchmarks;

/// <summary>Stands in for Quartz in the engine benchmarks: they run the engine themselves.</summary>
internal sealed class CollectingAttemptQueue : IAttemptQueue
{
    private readonly ConcurrentQueue<Guid> _ids = new();

    public int Count => _ids.Count;

    public Task EnqueueAsync(Guid workspaceId, CancellationToken cancellationToken)
    {
        _ids.Enqueue(workspaceId);
        return Task.CompletedTask;
    }
}
