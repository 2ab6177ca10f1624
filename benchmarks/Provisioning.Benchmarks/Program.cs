namespace Provisioning.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release --project benchmarks/Provisioning.Benchmarks -- engine|backoff|api|raw|ui-first-page|ui-live|ui-memory [options]</c>;
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
                "command-step" => await CommandStepBenchmark.RunAsync(options, cancellation.Token),
                "engine-postgres" => await EnginePostgresBenchmark.RunAsync(options, cancellation.Token),
                "failover" => await FailoverBenchmark.RunAsync(options, cancellation.Token),
                "raw" => await RawSqliteBenchmark.RunStandaloneAsync(options, cancellation.Token),
                "backoff" => await BackoffBenchmark.RunAsync(options, cancellation.Token),
                "api" => await ApiBenchmark.RunAsync(options, cancellation.Token),
                "ui-first-page" => await UiFirstPageBenchmark.RunAsync(options, cancellation.Token),
                "ui-live" => await UiLiveBenchmark.RunAsync(options, cancellation.Token),
                "ui-memory" => await UiMemoryBenchmark.RunAsync(options, cancellation.Token),
                UiMemoryBenchmark.BrowserCommand => await UiMemoryBenchmark.RunBrowserAsync(options, cancellation.Token),
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
              command-step  what the engine adds to a command step beyond the command's own run time
                          --runs 3 --workspaces 40 --steps 10
              engine-postgres  the engine on PostgreSQL, one node and two, against the raw PostgreSQL commit rate at the same concurrency
                          --runs 3 --workspaces 500 --parallelism 1,4,16 --raw-seconds 3 [--postgres CONNECTION] (or PORTAL_BENCH_POSTGRES)
              failover  SIGKILL one of two portal nodes with attempts in flight: time until each of its attempts runs again on the other
                          --runs 5 --workspaces 10 [--postgres CONNECTION] (or PORTAL_BENCH_POSTGRES)
              backoff   idle cost of workspaces held in backoff in the real portal (markdown table on stdout)
                          --runs 3 --workspaces 1000 --requests 2000 [--no-wrk] [--wrk-seconds 10]
              api       GET /api/v1/workspaces/{id} under wrk next to GET /health, N ready workspaces seeded (markdown table on stdout)
                          --runs 3 --workspaces 10000 --wrk-seconds 10 [--warmup-seconds 5] [--batch 500] [--profile]
              raw       the raw SQLite bound alone
                          --runs 3 --raw-seconds 3
              ui-first-page  /workspaces in Chromium with N workspaces: navigation start → first page's rows in the DOM, DB commands per view
                          --runs 3 --workspaces 10000 --navigations 30 [--warmup 5] [--batch 500]
              ui-live   live updates on /workspaces/{id}: event commit → DOM on P Chromium pages, E events one at a time
                          --runs 3 --pages 20 --events 200 --workspaces 10000 [--pages-per-context 10] [--deadline-ms 10000] [--animations]
              ui-memory server memory per circuit: the portal's heap and working set with 0 and with N pages on /workspaces/{id}
                          --runs 3 --pages 100 --workspaces 10000 [--pages-per-context 10] [--warmup-pages 10] [--path /workspaces/ID] [--gcdump DIR]
            """);
        return 64;
    }
}
