using Microsoft.Extensions.Diagnostics.HealthChecks;
using Provisioning.Core.Errors;
using Provisioning.Core.Infrastructure.Vsphere;

namespace Portal.Health;

/// <summary>
/// Whether vSphere answers this node's session (registered with <c>Infrastructure:Vsphere:Url</c>). Degraded, not
/// unhealthy, when it does not: the portal still serves its pages, and a load balancer must not take every node out
/// because vCenter is down.
/// </summary>
internal sealed class VsphereHealthCheck(VsphereInfrastructure vsphere) : IHealthCheck
{
    public const string Name = "vsphere";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        try
        {
            return HealthCheckResult.Healthy(await vsphere.ProbeAsync(timeout.Token));
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var error = VsphereFaults.Translate(e);
            return new HealthCheckResult(context.Registration.FailureStatus, $"{vsphere.Client.Url} does not answer ({error.Code}): {error.Message}");
        }
    }
}
