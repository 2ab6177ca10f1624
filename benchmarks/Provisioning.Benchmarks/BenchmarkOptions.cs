using System.Globalization;

namespace Provisioning.Benchmarks;

/// <summary>Command-line options shared by the benchmarks (<c>--name value</c> pairs and flags).</summary>
internal sealed class BenchmarkOptions
{
    private readonly Dictionary<string, string?> _values;

    private BenchmarkOptions(Dictionary<string, string?> values) => _values = values;

    public static BenchmarkOptions Parse(IEnumerable<string> args)
    {
        var values = new Dictionary<string, string?>(StringComparer.Ordinal);
        var list = args.ToList();
        for (var i = 0; i < list.Count; i++)
        {
            if (!list[i].StartsWith("--", StringComparison.Ordinal))
            {
                throw new ArgumentException($"Unexpected argument '{list[i]}'.");
            }

            var name = list[i][2..];
            var hasValue = i + 1 < list.Count && !list[i + 1].StartsWith("--", StringComparison.Ordinal);
            values[name] = hasValue ? list[++i] : null;
        }

        return new BenchmarkOptions(values);
    }

    public int Int(string name, int fallback) =>
        _values.TryGetValue(name, out var v) && v is not null ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

    public double Double(string name, double fallback) =>
        _values.TryGetValue(name, out var v) && v is not null ? double.Parse(v, CultureInfo.InvariantCulture) : fallback;

    public string? String(string name) => _values.TryGetValue(name, out var v) ? v : null;

    public bool Flag(string name) => _values.ContainsKey(name);

    public int[] Ints(string name, int[] fallback) =>
        _values.TryGetValue(name, out var v) && v is not null
            ? v.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray()
            : fallback;
}
