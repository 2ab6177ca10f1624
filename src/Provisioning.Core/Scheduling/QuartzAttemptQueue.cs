using Quartz;

namespace Provisioning.Core.Scheduling;

/// <summary>Schedules <see cref="RunAttemptJob"/> now, in Quartz's persistent store.</summary>
public sealed class QuartzAttemptQueue(ISchedulerFactory schedulers) : IAttemptQueue
{
    public async Task EnqueueAsync(Guid workspaceId, CancellationToken cancellationToken)
    {
        var scheduler = await schedulers.GetScheduler(cancellationToken);
        var job = JobBuilder.Create<RunAttemptJob>()
            .WithIdentity(RunAttemptJob.KeyFor(workspaceId))
            .UsingJobData(RunAttemptJob.WorkspaceIdKey, workspaceId.ToString())
            .StoreDurably()
            // A node that dies while running it: another node of the cluster runs it again (clustered store only).
            .RequestRecovery()
            .Build();
        var trigger = TriggerBuilder.Create().ForJob(job).StartNow().Build();
        await scheduler.ScheduleJob(job, [trigger], new ScheduleJobOptions { Replace = true }, cancellationToken);
    }
}
