using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;

namespace Portal.Tests.TestInfrastructure;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that tells the test when code starts waiting on a timer, so the test
/// can advance time by exactly that wait, never racing the code under test and never sleeping.
/// </summary>
public sealed class SteppingTimeProvider(DateTimeOffset start) : FakeTimeProvider(start)
{
    /// <summary>Timers at least this long are per-try timeouts, not waits: they are not reported.</summary>
    public static readonly TimeSpan TimeoutTimers = TimeSpan.FromHours(1);

    private readonly Channel<TimeSpan> _waits = Channel.CreateUnbounded<TimeSpan>();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        if (dueTime > TimeSpan.Zero && dueTime < TimeoutTimers)
        {
            _waits.Writer.TryWrite(dueTime);
        }

        return timer;
    }

    /// <summary>
    /// Lets <paramref name="work"/> run to its end, advancing time by each wait it starts.
    /// Returns the waits in order. Fails after <paramref name="deadline"/> of real time.
    /// </summary>
    public async Task<IReadOnlyList<TimeSpan>> DriveAsync(Task work, TimeSpan? deadline = null)
    {
        var waits = new List<TimeSpan>();
        using var timeout = new CancellationTokenSource(deadline ?? TimeSpan.FromSeconds(60));
        // Ends the read still pending when the work completes: left waiting, it would take the first wait of
        // whatever is driven next, which would then never be advanced.
        using var reading = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token);
        try
        {
            while (!work.IsCompleted)
            {
                var nextWait = _waits.Reader.ReadAsync(reading.Token).AsTask();
                var first = await Task.WhenAny(work, nextWait);
                if (first == nextWait)
                {
                    var wait = await nextWait;
                    waits.Add(wait);
                    Advance(wait);
                }
            }
        }
        finally
        {
            await reading.CancelAsync();
        }

        await work;
        while (_waits.Reader.TryRead(out _))
        {
        }

        return waits;
    }
}
