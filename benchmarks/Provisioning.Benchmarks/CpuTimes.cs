using System.Globalization;

namespace Provisioning.Benchmarks;

/// <summary>The aggregate <c>cpu</c> line of /proc/stat, in clock ticks.</summary>
internal readonly record struct CpuTimes(long Busy, long Idle, long Steal, long Total)
{
    private static readonly double TicksPerSecond = 100;

    public double BusyCores => Total == 0 ? double.NaN : Busy / TicksPerSecond / (Total / TicksPerSecond / Environment.ProcessorCount);

    public double StealPercent => Total == 0 ? double.NaN : 100.0 * Steal / Total;

    public static CpuTimes operator -(CpuTimes a, CpuTimes b) => new(a.Busy - b.Busy, a.Idle - b.Idle, a.Steal - b.Steal, a.Total - b.Total);

    public static CpuTimes Read()
    {
        try
        {
            var f = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
                .Select(v => long.Parse(v, CultureInfo.InvariantCulture)).ToArray();
            // user nice system idle iowait irq softirq steal ...
            var idle = f[3] + f[4];
            var total = f.Take(8).Sum();
            return new CpuTimes(total - idle, idle, f[7], total);
        }
        catch (IOException)
        {
            return default;
        }
    }

    /// <summary>
    /// CPU seconds (user + system) of this process's children that have ended and been waited for, such as a
    /// finished wrk (fields cutime and cstime of /proc/self/stat).
    /// </summary>
    public static double EndedChildrenSeconds()
    {
        try
        {
            var stat = File.ReadAllText("/proc/self/stat");
            var f = stat[(stat.LastIndexOf(')') + 2)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            // After the name: state(0) ppid ... utime(11) stime(12) cutime(13) cstime(14)
            return (long.Parse(f[13], CultureInfo.InvariantCulture) + long.Parse(f[14], CultureInfo.InvariantCulture)) / TicksPerSecond;
        }
        catch (IOException)
        {
            return double.NaN;
        }
    }
}

/// <summary>
/// CPU use over a stretch of time, in cores busy: the whole machine, this process (the hosted portal), and the
/// processes descending from it (Playwright's driver, Chromium and its renderers); what remains is other tenants
/// of the machine. Dispose it if <see cref="Stop"/> is not reached.
/// </summary>
internal sealed class CpuWindow : IDisposable
{
    private readonly CpuTimes _machine = CpuTimes.Read();
    private readonly TimeSpan _own = OwnTime();
    private readonly DescendantCpu _descendants = new();
    private readonly long _start = TimeProvider.System.GetTimestamp();

    public static CpuWindow Start() => new();

    public CpuUse Stop()
    {
        var seconds = TimeProvider.System.GetElapsedTime(_start).TotalSeconds;
        var machine = (CpuTimes.Read() - _machine).BusyCores;
        var own = (OwnTime() - _own).TotalSeconds / seconds;
        var descendants = _descendants.Stop() / seconds;
        return new CpuUse(seconds, machine, own, descendants);
    }

    public void Dispose() => _descendants.Stop();

    private static TimeSpan OwnTime()
    {
        using var self = System.Diagnostics.Process.GetCurrentProcess();
        return self.TotalProcessorTime;
    }
}

internal sealed record CpuUse(double Seconds, double MachineCores, double OwnCores, double DescendantCores)
{
    public double OtherCores => Math.Max(0, MachineCores - OwnCores - DescendantCores);

    /// <summary>CPU ms per item (a page view, an event) of this process and of its descendants.</summary>
    public double OwnMsPer(int items) => OwnCores * Seconds * 1000 / items;

    public double DescendantMsPer(int items) => DescendantCores * Seconds * 1000 / items;

    /// <summary>"1.95 (0.40 + 1.50 + 0.05)": machine (portal + browser + others).</summary>
    public override string ToString() =>
        $"{Stats.F(MachineCores, 2)} ({Stats.F(OwnCores, 2)} + {Stats.F(DescendantCores, 2)} + {Stats.F(OtherCores, 2)})";
}

/// <summary>
/// CPU seconds used since its creation by the processes descending from this one, sampled from /proc every 100 ms.
/// Sampling, not a difference of two readings: the time of a Chromium renderer that ends did not reliably reach a
/// parent's account here (such a difference came out negative), so each process counts up to its last sample.
/// </summary>
internal sealed class DescendantCpu
{
    private readonly Dictionary<(int Pid, long Start), (long First, long Last)> _ticks = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private double? _result;

    public DescendantCpu()
    {
        Sample(initial: true);
        _loop = Task.Run(LoopAsync);
    }

    /// <summary>Stops sampling (once) and returns the CPU seconds used meanwhile.</summary>
    public double Stop()
    {
        lock (_ticks)
        {
            if (_result is { } done)
            {
                return done;
            }
        }

        _stop.Cancel();
        _loop.GetAwaiter().GetResult();
        _stop.Dispose();
        lock (_ticks)
        {
            Sample(initial: false);
            _result = _ticks.Values.Sum(t => t.Last - t.First) / 100.0;
            return _result.Value;
        }
    }

    private async Task LoopAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100), TimeProvider.System);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                lock (_ticks)
                {
                    Sample(initial: false);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
    }

    private void Sample(bool initial)
    {
        var parents = new Dictionary<int, int>();
        var ticks = new Dictionary<int, (long Start, long Ticks)>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                // After the name: state(0) ppid(1) ... utime(11) stime(12) ... starttime(19)
                var f = stat[(stat.LastIndexOf(')') + 2)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                parents[pid] = int.Parse(f[1], CultureInfo.InvariantCulture);
                // Own time only: a reaped child's time, added to its parent's cutime, is already counted here as the child's.
                ticks[pid] = (long.Parse(f[19], CultureInfo.InvariantCulture), long.Parse(f[11], CultureInfo.InvariantCulture) + long.Parse(f[12], CultureInfo.InvariantCulture));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The process ended while we looked.
            }
        }

        var self = Environment.ProcessId;
        foreach (var (pid, (start, used)) in ticks)
        {
            var ancestor = pid;
            var depth = 0;
            while (depth++ < 64 && parents.TryGetValue(ancestor, out var parent) && parent != self && parent > 1)
            {
                ancestor = parent;
            }

            if (!parents.TryGetValue(ancestor, out var top) || top != self)
            {
                continue;
            }

            var key = (pid, start);
            _ticks[key] = _ticks.TryGetValue(key, out var seen) ? (seen.First, used) : (initial ? used : 0, used);
        }
    }
}
