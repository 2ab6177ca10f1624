using Provisioning.Core.Errors;
using Provisioning.Core.Infrastructure;

namespace Provisioning.Core.Steps;

/// <summary>Waits (on timers, not threads) for something a port made to report ready before a deadline.</summary>
public sealed class Readiness(TimeProvider time)
{
    public async Task WaitAsync(IInfrastructureLookup port, string name, DateTimeOffset deadline, string timeoutCode, CancellationToken cancellationToken)
    {
        while (true)
        {
            var item = await port.FindAsync(name, cancellationToken)
                ?? throw new ProvisioningException(timeoutCode, $"'{name}' no longer exists.");
            var now = time.GetUtcNow();
            if (item.ReadyAt is { } readyAt && readyAt <= now)
            {
                return;
            }

            if (now >= deadline)
            {
                throw new ProvisioningException(timeoutCode, $"'{name}' did not become ready by {deadline:O}.");
            }

            var due = item.ReadyAt ?? (item.LookAgainAfter is { } again ? now + again : deadline);
            var until = due < deadline ? due : deadline;
            await Task.Delay(until - now, time, cancellationToken);
        }
    }
}
