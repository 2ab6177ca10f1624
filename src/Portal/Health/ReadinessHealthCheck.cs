using Microsoft.Extensions.Diagnostics.HealthChecks;
using Provisioning.Core.Scheduling;
using Quartz;

namespace Portal.Health;

/// <summary>Healthy once the database is migrated and the scheduler is running.</summary>
internal sealed class ReadinessHealthCheck(ProvisioningReadiness readiness, ISchedulerFactory schedulers) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!readiness.DatabaseReady)
        {
            return HealthCheckResult.Unhealthy("The database is not migrated yet.");
        }

        var scheduler = await schedulers.GetScheduler(cancellationToken);
        return await scheduler.GetStatus(cancellationToken) == SchedulerStatus.Running
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy("The scheduler is not running.");
    }
}
