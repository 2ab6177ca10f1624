using Provisioning.Core.Simulator;

namespace Provisioning.Core.Engine;

/// <summary>Lets the simulated infrastructure inject faults and latency into a step, before it runs.</summary>
public interface IFaultInjector
{
    ValueTask BeforeAsync(string step, FaultPhase phase, CancellationToken cancellationToken);
}
