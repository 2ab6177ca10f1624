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
