using Microsoft.AspNetCore.Components.Server.Circuits;

namespace Provisioning.Benchmarks;

/// <summary>
/// Counts the hosted portal's Blazor circuits (registered as a singleton <see cref="CircuitHandler"/>): open ones,
/// and of those the ones with a live connection. A closed browser page leaves its circuit open until the
/// disconnect beacon arrives or the disconnected-circuit retention ends.
/// </summary>
internal sealed class CircuitCounter : CircuitHandler
{
    private int _open;
    private int _connected;
    private int _opened;

    public int Open => Volatile.Read(ref _open);

    public int Connected => Volatile.Read(ref _connected);

    /// <summary>Circuits opened since the portal started.</summary>
    public int Opened => Volatile.Read(ref _opened);

    public override Task OnCircuitOpenedAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _open);
        Interlocked.Increment(ref _opened);
        return Task.CompletedTask;
    }

    public override Task OnConnectionUpAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _connected);
        return Task.CompletedTask;
    }

    public override Task OnConnectionDownAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        Interlocked.Decrement(ref _connected);
        return Task.CompletedTask;
    }

    public override Task OnCircuitClosedAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        Interlocked.Decrement(ref _open);
        return Task.CompletedTask;
    }

    /// <summary>Polls (every 50 ms, at most <paramref name="timeout"/>) until <paramref name="done"/> holds; false on timeout.</summary>
    public async Task<bool> WaitUntilAsync(Func<CircuitCounter, bool> done, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = TimeProvider.System.GetTimestamp() + (long)(timeout.TotalSeconds * TimeProvider.System.TimestampFrequency);
        while (!done(this))
        {
            if (TimeProvider.System.GetTimestamp() > deadline)
            {
                return false;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50), TimeProvider.System, cancellationToken);
        }

        return true;
    }
}
