namespace Provisioning.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release --project benchmarks/Provisioning.Benchmarks -- engine|backoff|api [options]</c>;
/// see docs/benchmarks.md. (A named entry point, not top-level statements: <c>Program</c> is the portal's.)
/// </summary>
internal static class BenchmarkMain
{
    public static async Task<int> Main(string[] args)
    {
        using var cancellation = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancellation.Cancel();
        };

        var options = BenchmarkOptions.Parse(args.Skip(1));
        try
        {
            return args.FirstOrDefault() switch
            {
                "engine" => await EngineBenchmark.RunAsync(options, cancellation.Token),
                "raw" => await RawSqliteBenchmark.RunStandaloneAsync(options, cancellation.Token),
                "backoff" => await BackoffBenchmark.RunAsync(options, cancellation.Token),
                "api" => await ApiBenchmark.RunAsync(options, cancellation.Token),
                BackoffBenchmark.ChildCommand => await BackoffBenchmark.RunChildAsync(options, cancellation.Token),
                _ => Usage(),
            };
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            Console.Error.WriteLine("Cancelled.");
            return 130;
        }
    }

    private static int Usage()
    {
        Console.Error.WriteLine("""
            usage: Provisioning.Benchmarks <benchmark> [options]

              engine    engine throughput against the raw SQLite commit rate (markdown table on stdout)
                          --runs 3 --workspaces 2000 --parallelism 1,4,16 --raw-seconds 3 [--profile | --profile-only]
              backoff   idle cost of workspaces held in backoff in the real portal (markdown table on stdout)
                          --runs 3 --workspaces 1000 --requests 2000 [--no-wrk] [--wrk-seconds 10]
              api       GET /api/v1/workspaces/{id} under wrk next to GET /health, N ready workspaces seeded (markdown table on stdout)
                          --runs 3 --workspaces 10000 --wrk-seconds 10 [--warmup-seconds 5] [--batch 500] [--profile]
              raw       the raw SQLite bound alone
                          --runs 3 --raw-seconds 3
            """);
        return 64;
    }
}
