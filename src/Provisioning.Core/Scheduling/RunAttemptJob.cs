using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Provisioning.Core.Engine;
using Quartz;

namespace Provisioning.Core.Scheduling;

/// <summary>
/// The Quartz job that runs a workspace's active attempt. One job per workspace; never two at once.
/// All it knows is the workspace id: every input comes from the database, so a retry always has what
/// it needs (seed 001's broken retry).
/// </summary>
[DisallowConcurrentExecution]
public sealed partial class RunAttemptJob(
    ProvisioningEngine engine, IHostApplicationLifetime lifetime, TimeProvider time, ILogger<RunAttemptJob> logger) : IJob
{
    public const string WorkspaceIdKey = "workspace_id";
    private static readonly TimeSpan RetryAfterCrash = TimeSpan.FromSeconds(10);

    public static JobKey KeyFor(Guid workspaceId) => new($"attempt-{workspaceId:N}", "provisioning");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var workspaceId = Guid.Parse(context.MergedJobDataMap.GetString(WorkspaceIdKey)!);
        // The scheduler lets running jobs go on while the host shuts down; stopping is a cancellation, so a
        // step interrupted by it stays running (and runs again at the next start) instead of failing.
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lifetime.ApplicationStopping);
        try
        {
            await engine.RunAsync(workspaceId, stopping.Token);
        }
        catch (Exception e) when (!stopping.IsCancellationRequested)
        {
            // The engine itself failed (database unavailable…): the attempt is still active, so run it again shortly.
            LogEngineFailed(workspaceId, e);
            var again = TriggerBuilder.Create()
                .ForJob(context.JobDetail.Key)
                .StartAt(time.GetUtcNow() + RetryAfterCrash)
                .Build();
            await context.Scheduler.ScheduleJob(again, new ScheduleJobOptions(), cancellationToken);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The engine failed while running workspace {WorkspaceId}; it will run again")]
    private partial void LogEngineFailed(Guid workspaceId, Exception exception);
}
