using System.Globalization;
using System.Text;

namespace Provisioning.Benchmarks;

internal static class Stats
{
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.OrderBy(v => v).ToArray();
        if (sorted.Length == 0)
        {
            return double.NaN;
        }

        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    /// <summary>Nearest-rank percentile of an ascending array (p in 0..100).</summary>
    public static double Percentile(double[] sorted, double p)
    {
        if (sorted.Length == 0)
        {
            return double.NaN;
        }

        var rank = (int)Math.Ceiling(p / 100 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }

    public static string F(double value, int decimals = 0) =>
        double.IsNaN(value) ? "n/a" : value.ToString("N" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    public static string Pct(double ratio) =>
        double.IsNaN(ratio) ? "n/a" : (ratio * 100).ToString("0.0", CultureInfo.InvariantCulture) + " %";
}

/// <summary>A GitHub-flavoured markdown table.</summary>
internal sealed class MarkdownTable(params string[] headers)
{
    private readonly List<string[]> _rows = [];

    public MarkdownTable Row(params string[] cells)
    {
        _rows.Add(cells);
        return this;
    }

    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append("| ").AppendJoin(" | ", headers).AppendLine(" |");
        text.Append('|').AppendJoin('|', headers.Select(_ => "---")).AppendLine("|");
        foreach (var row in _rows)
        {
            text.Append("| ").AppendJoin(" | ", row).AppendLine(" |");
        }

        return text.ToString();
    }
}

internal static class Log
{
    /// <summary>Progress goes to stderr so stdout holds only the result tables.</summary>
    public static void Progress(string message) =>
        Console.Error.WriteLine($"[{TimeProvider.System.GetLocalNow():HH:mm:ss}] {message}");
}

internal static class Machine
{
    /// <summary>One line for the report: cores, CPU model, runtime, and the load average (the machine is shared).</summary>
    public static string Describe()
    {
        var model = "unknown CPU";
        try
        {
            model = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? model;
        }
        catch (IOException)
        {
        }

        return $"{Environment.ProcessorCount} cores, {model}, {System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}, " +
            $"server GC {System.Runtime.GCSettings.IsServerGC.ToString().ToLowerInvariant()}, load average {LoadAverage()}";
    }

    public static string LoadAverage()
    {
        try
        {
            return string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "n/a";
        }
    }
}
