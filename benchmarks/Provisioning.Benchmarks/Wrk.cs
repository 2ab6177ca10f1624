using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Provisioning.Benchmarks;

/// <summary>Runs <c>wrk</c> (the Debian package) against a URL and parses its <c>--latency</c> report.</summary>
internal static partial class Wrk
{
    public const string Executable = "/usr/bin/wrk";

    public static bool IsInstalled => File.Exists(Executable);

    /// <summary>
    /// <c>wrk -t{threads} -c{connections} -d{seconds}s --latency [-s script] url</c>. With a script, its
    /// <c>done</c> output is part of <see cref="WrkResult.Raw"/>.
    /// </summary>
    public static async Task<WrkResult> RunAsync(
        Uri url, int seconds, CancellationToken cancellationToken, string? script = null, int threads = 2, int connections = 10)
    {
        var start = new ProcessStartInfo(Executable) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        var args = new List<string>
        {
            $"-t{threads.ToString(CultureInfo.InvariantCulture)}",
            $"-c{connections.ToString(CultureInfo.InvariantCulture)}",
            $"-d{seconds.ToString(CultureInfo.InvariantCulture)}s",
            "--latency",
        };
        if (script is not null)
        {
            args.Add("-s");
            args.Add(script);
        }

        args.Add(url.ToString());
        args.ForEach(start.ArgumentList.Add);

        using var wrk = Process.Start(start)!;
        var stderr = wrk.StandardError.ReadToEndAsync(cancellationToken);
        var output = await wrk.StandardOutput.ReadToEndAsync(cancellationToken);
        await wrk.WaitForExitAsync(cancellationToken);
        var errors = await stderr;
        if (wrk.ExitCode != 0)
        {
            throw new InvalidOperationException($"wrk exited with {wrk.ExitCode}: {errors}{output}");
        }

        return Parse(output);
    }

    public static WrkResult Parse(string output)
    {
        double Latency(string label)
        {
            var m = Regex.Match(output, $@"^\s*{Regex.Escape(label)}\s+([\d.]+)(us|ms|s)\b", RegexOptions.Multiline);
            return m.Success ? ToMs(m.Groups[1].Value, m.Groups[2].Value) : double.NaN;
        }

        var max = LatencyLine().Match(output);
        var rps = RequestsPerSecond().Match(output);
        var requests = RequestCount().Match(output);
        var non2xx = Non2xx().Match(output);
        var socket = SocketErrors().Match(output);
        var socketErrors = socket.Success ? socket.Groups.Values.Skip(1).Sum(g => long.Parse(g.Value, CultureInfo.InvariantCulture)) : 0;
        var errors = socketErrors + (non2xx.Success ? long.Parse(non2xx.Groups[1].Value, CultureInfo.InvariantCulture) : 0);

        return new WrkResult(
            P50Ms: Latency("50%"),
            P75Ms: Latency("75%"),
            P90Ms: Latency("90%"),
            P99Ms: Latency("99%"),
            MaxMs: max.Success ? ToMs(max.Groups[5].Value, max.Groups[6].Value) : double.NaN,
            RequestsPerSecond: rps.Success ? double.Parse(rps.Groups[1].Value, CultureInfo.InvariantCulture) : double.NaN,
            Errors: errors,
            Raw: output)
        {
            Requests = requests.Success ? long.Parse(requests.Groups[1].Value, CultureInfo.InvariantCulture) : 0,
            SocketErrors = socketErrors,
        };
    }

    private static double ToMs(string value, string unit)
    {
        var v = double.Parse(value, CultureInfo.InvariantCulture);
        return unit switch { "us" => v / 1000, "s" => v * 1000, _ => v };
    }

    // "    Latency   776.01us  396.98us  12.43ms   93.02%"
    [GeneratedRegex(@"^\s*Latency\s+([\d.]+)(us|ms|s)\s+([\d.]+)(us|ms|s)\s+([\d.]+)(us|ms|s)", RegexOptions.Multiline)]
    private static partial Regex LatencyLine();

    [GeneratedRegex(@"Requests/sec:\s+([\d.]+)")]
    private static partial Regex RequestsPerSecond();

    // "  265423 requests in 10.00s, 40.50MB read"
    [GeneratedRegex(@"^\s*(\d+) requests in ", RegexOptions.Multiline)]
    private static partial Regex RequestCount();

    [GeneratedRegex(@"Non-2xx or 3xx responses:\s+(\d+)")]
    private static partial Regex Non2xx();

    [GeneratedRegex(@"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")]
    private static partial Regex SocketErrors();
}

/// <summary>One wrk run: latency percentiles in ms, requests/s, errors (non-2xx + socket errors), and its report.</summary>
internal sealed record WrkResult(double P50Ms, double P75Ms, double P90Ms, double P99Ms, double MaxMs, double RequestsPerSecond, long Errors, string Raw)
{
    /// <summary>Requests completed ("N requests in 10.00s").</summary>
    public long Requests { get; init; }

    /// <summary>Connect, read, write and timeout errors (already part of <see cref="Errors"/>).</summary>
    public long SocketErrors { get; init; }
}
