using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Provisioning.Core.Engine;
using Quartz;

namespace Provisioning.Core.Scheduling;

/// <summary>
/// The Quartz job that runs a workspace's active attempt (or its deletion). One job per workspace; never two at
/// once. All it knows is the workspace id: every input comes from the database, so a retry always has what it needs
/// (seed 001's broken retry).
/// </summary>
/// <remarks>
/// When the engine itself fails (not a step: the database unavailable, a state it does not accept), the run is
/// tried again with a growing delay, the count of failures in a row travelling with the trigger; after
/// <c>Provisioning:Resume:MaxFailures</c> the workspace ends in error with <c>internal_error</c> instead of
/// waiting forever. A new request for the workspace (a retry, a delete, a restart) starts the count afresh.
/// </remarks>
[DisallowConcurrentExecution]
public sealed partial class RunAttemptJob(
    ProvisioningEngine engine,
    IHostApplicationLifetime lifetime,
    IOptions<ProvisioningOptions> options,
    TimeProvider time,
    ILogger<RunAttemptJob> logger) : IJob
{
    public const string WorkspaceIdKey = "workspace_id";
    public const string FailuresKey = "engine_failures";

    public static JobKey KeyFor(Guid workspaceId) => new($"attempt-{workspaceId:N}", "provisioning");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var workspaceId = Guid.Parse(context.MergedJobDataMap.GetString(WorkspaceIdKey)!);
        var failures = context.Trigger.JobDataMap.GetString(FailuresKey) is { } count ? int.Parse(count, CultureInfo.InvariantCulture) : 0;
        // The scheduler lets running jobs go on while the host shuts down; stopping is a cancellation, so a
        // step interrupted by it stays running (and runs again at the next start) instead of failing.
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lifetime.ApplicationStopping);
        try
        {
            await engine.RunAsync(workspaceId, stopping.Token);
            return;
        }
        catch (OperationCanceledException) when (lifetime.ApplicationStopping.IsCancellationRequested)
        {
            // Not a failure: the attempt stays where its last commit left it, and the next start carries it on.
            LogPausedForShutdown(workspaceId);
            return;
        }
        catch (Exception e) when (!stopping.IsCancellationRequested)
        {
            failures++;
            var settings = options.Value.Resume;
            // Lost the workspace to another writer (see Workspace.Revision): nothing of this run's last step was written.
            // Whoever won carries on; this run goes again at once from what the database holds, which Quartz holds back
            // while another node still runs the same job. Still counted, so a conflict that never ends ends like any failure.
            var conflict = e is DbUpdateConcurrencyException;
            var delay = conflict ? TimeSpan.Zero : settings.DelayAfter(failures);
            if (failures < settings.MaxFailures)
            {
                if (conflict)
                {
                    LogLostToAnotherWriter(workspaceId);
                }
                else
                {
                    LogEngineFailed(workspaceId, failures, settings.MaxFailures, delay.TotalSeconds, e);
                }
            }
            else if (await TryAbandonAsync(workspaceId, e, stopping.Token))
            {
                return;
            }

            // Still running, or giving up could not be written (the database is down): try again later.
            var again = TriggerBuilder.Create()
                .ForJob(context.JobDetail.Key)
                .UsingJobData(FailuresKey, failures.ToString(CultureInfo.InvariantCulture))
                .StartAt(time.GetUtcNow() + delay)
                .Build();
            await context.Scheduler.ScheduleJob(again, new ScheduleJobOptions(), cancellationToken);
        }
    }

    private async Task<bool> TryAbandonAsync(Guid workspaceId, Exception cause, CancellationToken cancellationToken)
    {
        try
        {
            await engine.AbandonAsync(workspaceId, cause, cancellationToken);
            return true;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            LogAbandonFailed(workspaceId, e);
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The engine failed while running workspace {WorkspaceId} ({Failures} of {MaxFailures} failures in a row); it runs again in {DelaySeconds} s")]
    private partial void LogEngineFailed(Guid workspaceId, int failures, int maxFailures, double delaySeconds, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Workspace {WorkspaceId} was saved by another writer (another node, or a request) since this node read it; this run's last change was not written, and it carries on from what the database holds")]
    private partial void LogLostToAnotherWriter(Guid workspaceId);

    [LoggerMessage(Level = LogLevel.Information, Message = "The host is stopping: workspace {WorkspaceId} stays where its last commit left it and carries on at the next start")]
    private partial void LogPausedForShutdown(Guid workspaceId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Giving up on workspace {WorkspaceId} could not be saved; it runs again later")]
    private partial void LogAbandonFailed(Guid workspaceId, Exception exception);
}
