using Provisioning.Core.Errors;
using Provisioning.Core.Simulator;

namespace Provisioning.Core.Steps;

/// <summary>Waits (on timers, not threads) for a simulated resource to report ready before a deadline.</summary>
public sealed class Readiness(SimulatedInfrastructure infrastructure, TimeProvider time)
{
    public async Task WaitAsync(string resourceName, DateTimeOffset deadline, string timeoutCode, CancellationToken cancellationToken)
    {
        while (true)
        {
            var resource = await infrastructure.FindAsync(resourceName, cancellationToken)
                ?? throw new ProvisioningException(timeoutCode, $"'{resourceName}' no longer exists.");
            var now = time.GetUtcNow();
            if (resource.ReadyAt is { } readyAt && readyAt <= now)
            {
                return;
            }

            if (now >= deadline)
            {
                throw new ProvisioningException(timeoutCode, $"'{resourceName}' did not become ready by {deadline:O}.");
            }

            var until = resource.ReadyAt is { } due && due < deadline ? due : deadline;
            await Task.Delay(until - now, time, cancellationToken);
        }
    }
}
