namespace Provisioning.Core.Scheduling;

/// <summary>Hands a workspace's active attempt to the scheduler, which runs it with the engine.</summary>
public interface IAttemptQueue
{
    Task EnqueueAsync(Guid workspaceId, CancellationToken cancellationToken);
}
