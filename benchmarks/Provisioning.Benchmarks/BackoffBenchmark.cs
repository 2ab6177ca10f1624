using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Provisioning.Core.Persistence;
using Provisioning.Core.Simulator;
using Provisioning.Core.Workspaces;

namespace Provisioning.Benchmarks;

/// <summary>
/// The idle cost of workspaces held in backoff: the real portal hosted in-process (WebApplicationFactory on a
/// real Kestrel port), a transient fault on clone_vm that never runs out, N vm workspaces all waiting for
/// their next try. Measures threads, memory and /health latency with 0 workspaces, then with N in backoff.
/// Each run is its own child process, so thread and memory figures are not inherited from an earlier run.
/// </summary>
internal static class BackoffBenchmark
{
    public const string ChildCommand = "backoff-run";
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public static async Task<int> RunAsync(BenchmarkOptions options, CancellationToken cancellationToken)
    {
        var runs = options.Int("runs", 3);
        var workspaces = options.Int("workspaces", 1000);
        var machineAtStart = Machine.Describe();
        var results = new List<BackoffRun>();
        var logDir = Directory.CreateTempSubdirectory("prov-bench-backoff-logs-");
        for (var run = 1; run <= runs; run++)
        {
            var resultFile = Path.Combine(logDir.FullName, $"run-{run}.json");
            var logFile = Path.Combine(logDir.FullName, $"run-{run}.log");
            var childArgs = new List<string> { ChildCommand, "--result", resultFile, "--workspaces", workspaces.ToString(CultureInfo.InvariantCulture),
                "--requests", options.Int("requests", 2000).ToString(CultureInfo.InvariantCulture),
                "--wrk-seconds", options.Int("wrk-seconds", 10).ToString(CultureInfo.InvariantCulture) };
            if (options.Flag("no-wrk"))
            {
                childArgs.Add("--no-wrk");
            }

            Log.Progress($"backoff run {run}/{runs} (child process; portal log in {logFile})");
            var exit = await RunChildProcessAsync(childArgs, logFile, cancellationToken);
            if (exit != 0 || !File.Exists(resultFile))
            {
                Console.Error.WriteLine($"backoff run {run} failed with exit code {exit}; see {logFile}");
                return 1;
            }

            results.Add(JsonSerializer.Deserialize<BackoffRun>(await File.ReadAllTextAsync(resultFile, cancellationToken))!);
        }

        Console.WriteLine($"Machine: {machineAtStart} at the start; load average {Machine.LoadAverage()} at the end.");
        Console.WriteLine();
        Print(results, workspaces);
        return results.All(r => r.HeldInBackoff) ? 0 : 1;
    }

    private static void Print(List<BackoffRun> runs, int workspaces)
    {
        double M(Func<BackoffRun, double> pick) => Stats.Median(runs.Select(pick));
        string Both(Func<Measurement, double> pick, int decimals = 0) =>
            $"{Stats.F(M(r => pick(r.Baseline)), decimals)} | {Stats.F(M(r => pick(r.Loaded)), decimals)}";

        var loadedThreads = M(r => r.Loaded.ThreadsMax);
        var loadedP99 = M(r => r.Loaded.HttpP99Ms);
        Console.WriteLine($"### Idle cost of {workspaces:N0} workspaces in backoff, medians of {runs.Count} runs (each a fresh process)");
        Console.WriteLine();
        var table = new MarkdownTable("measure", "0 workspaces", $"{workspaces:N0} in backoff", "target", "met");
        table.Row("process threads (median of samples every 100 ms during the measurement)", Both(m => m.ThreadsMedian), "", "");
        table.Row("process threads (max of those samples)", Both(m => m.ThreadsMax), "< 50", loadedThreads < 50 ? "met" : "**missed**");
        table.Row("managed heap, MB (`GC.GetTotalMemory(false)`)", Both(m => m.ManagedMb, 1), "", "");
        table.Row("managed heap after a forced full GC, MB (`GC.GetTotalMemory(true)`, taken last)", Both(m => m.LiveManagedMb, 1), "", "");
        table.Row("working set, MB", Both(m => m.WorkingSetMb, 1), "", "");
        table.Row("`/health` sequential GETs: p50 ms", Both(m => m.HttpP50Ms, 2), "", "");
        table.Row("`/health` sequential GETs: p95 ms", Both(m => m.HttpP95Ms, 2), "", "");
        table.Row("`/health` sequential GETs: p99 ms", Both(m => m.HttpP99Ms, 2), "< 50 ms", loadedP99 < 50 ? "met" : "**missed**");
        table.Row("`/health` sequential GETs: max ms", Both(m => m.HttpMaxMs, 2), "", "");
        if (runs.All(r => r.Baseline.Wrk is not null && r.Loaded.Wrk is not null && r.Baseline.WrkWindow is not null && r.Loaded.WrkWindow is not null))
        {
            var wrkP99 = M(r => r.Loaded.Wrk!.P99Ms);
            table.Row("`wrk -t2 -c10 --latency`: requests/s", Both(m => m.Wrk!.RequestsPerSecond), "", "");
            table.Row("`wrk`: p50 ms", Both(m => m.Wrk!.P50Ms, 2), "", "");
            table.Row("`wrk`: p75 ms", Both(m => m.Wrk!.P75Ms, 2), "", "");
            table.Row("`wrk`: p90 ms", Both(m => m.Wrk!.P90Ms, 2), "", "");
            table.Row("`wrk`: p99 ms", Both(m => m.Wrk!.P99Ms, 2), "< 50 ms", wrkP99 < 50 ? "met" : "**missed**");
            table.Row("`wrk`: max ms", Both(m => m.Wrk!.MaxMs, 2), "", "");
            table.Row("`wrk`: errors (non-2xx + socket errors)", Both(m => m.Wrk!.Errors), "0", "");
            table.Row("during the wrk run: GC pause time in the portal process, ms", Both(m => m.WrkWindow!.GcPauseMs), "", "");
            table.Row($"during the wrk run: machine CPU busy, cores of {Environment.ProcessorCount} (portal + wrk + neighbours)", Both(m => m.WrkWindow!.MachineCores, 2), "", "");
            table.Row("during the wrk run: portal process CPU, cores", Both(m => m.WrkWindow!.OwnCores, 2), "", "");
        }

        Console.WriteLine(table);
        Console.WriteLine("Per run:");
        Console.WriteLine();
        var perRun = new MarkdownTable("run", "creating N took, s", "until all N in backoff, s", "next try in the future: at start / end of measurement",
            "clone_vm retry counts after measurement",
            "still provisioning after measurement", "threads 0 / N (max)", "/health p99 ms 0 / N", "wrk p99 ms 0 / N",
            "during wrk 0 / N: machine cores busy (of 2), this process, steal %, GC pause ms (gen2)");
        for (var i = 0; i < runs.Count; i++)
        {
            var r = runs[i];
            perRun.Row((i + 1).ToString(CultureInfo.InvariantCulture), Stats.F(r.CreateSeconds, 1), Stats.F(r.SettleSeconds, 1),
                $"{r.Loaded.InBackoffAtStart:N0} / {r.Loaded.InBackoffAtEnd:N0}", r.RetryHistogram,
                $"{r.StillProvisioning:N0} of {workspaces:N0}",
                $"{r.Baseline.ThreadsMax:N0} / {r.Loaded.ThreadsMax:N0}",
                $"{Stats.F(r.Baseline.HttpP99Ms, 2)} / {Stats.F(r.Loaded.HttpP99Ms, 2)}",
                r.Baseline.Wrk is null ? "n/a" : $"{Stats.F(r.Baseline.Wrk.P99Ms, 2)} / {Stats.F(r.Loaded.Wrk!.P99Ms, 2)}",
                $"{Window(r.Baseline.WrkWindow)} / {Window(r.Loaded.WrkWindow)}");
        }

        Console.WriteLine(perRun);
    }

    private static string Window(LoadWindow? w) => w is null ? "n/a"
        : $"{Stats.F(w.MachineCores, 2)}, {Stats.F(w.OwnCores, 2)}, {Stats.F(w.StealPercent, 1)}, {Stats.F(w.GcPauseMs, 0)} ({w.Gen2Collections})";

    private static async Task<int> RunChildProcessAsync(List<string> childArgs, string logFile, CancellationToken cancellationToken)
    {
        var start = SelfProcess.StartInfo(childArgs);
        start.RedirectStandardOutput = true;
        using var child = Process.Start(start)!;
        await using var log = File.CreateText(logFile);
        var copy = child.StandardOutput.BaseStream.CopyToAsync(log.BaseStream, cancellationToken);
        try
        {
            await child.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            child.Kill(entireProcessTree: true);
            throw;
        }

        await copy;
        return child.ExitCode;
    }

    /// <summary>One run, in its own process (<c>backoff-run</c>); writes a JSON result file.</summary>
    public static async Task<int> RunChildAsync(BenchmarkOptions options, CancellationToken cancellationToken)
    {
        var count = options.Int("workspaces", 1000);
        var requestCount = options.Int("requests", 2000);
        var wrkSeconds = options.Int("wrk-seconds", 10);
        var useWrk = !options.Flag("no-wrk") && Wrk.IsInstalled;
        var resultFile = options.String("result") ?? throw new ArgumentException("--result is required");

        PortalHost.UseBuildOutputAsWorkingDirectory();
        var dataDir = Directory.CreateTempSubdirectory("prov-bench-backoff-");
        Environment.SetEnvironmentVariable("ASPNETCORE_ENVIRONMENT", "Development");
        Environment.SetEnvironmentVariable("Portal__DataDirectory", dataDir.FullName);
        Environment.SetEnvironmentVariable("Provisioning__Retry__BaseDelay", "00:00:05");
        Environment.SetEnvironmentVariable("Provisioning__Retry__MaxAttempts", "5");
        try
        {
            await using var factory = new WebApplicationFactory<Program>();
            factory.UseKestrel(0);
            factory.StartServer();
            var address = PortalHost.LoopbackAddress(factory);
            var health = new Uri(address, "/health");
            using var http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(10) });
            await PortalHost.WaitHealthyAsync(http, health, cancellationToken);
            Log.Progress($"portal up at {address}; data in {dataDir.FullName}");

            var baseline = await MeasureAsync(http, health, requestCount, useWrk, wrkSeconds, backoffProbe: null, cancellationToken);
            Log.Progress($"baseline: {baseline.ThreadsMax} threads, /health p99 {baseline.HttpP99Ms:N2} ms");

            var sim = factory.Services.GetRequiredService<SimulatedInfrastructure>();
            await sim.AddFaultAsync(new SimulatedFault
            {
                Step = "clone_vm",
                Code = "service_unavailable",
                On = FaultPhase.Execute,
                CreatedAt = TimeProvider.System.GetUtcNow(),
            }, cancellationToken);

            var requests = factory.Services.GetRequiredService<ProvisioningRequests>();
            var create = Stopwatch.StartNew();
            for (var i = 0; i < count; i++)
            {
                _ = (await requests.CreateAsync(new CreateWorkspace("acme", "member@acme.test", $"bo-{i}", "ubuntu-vm@24.04", new WorkspaceSize(1, 1)), cancellationToken)).Workspace
                    ?? throw new InvalidOperationException("ubuntu-vm@24.04 is not seeded (is the demo data on?)");
            }

            create.Stop();
            Log.Progress($"created {count} workspaces in {create.Elapsed.TotalSeconds:N1} s; waiting until all are in backoff");

            var dbFactory = factory.Services.GetRequiredService<IDbContextFactory<ProvisioningDbContext>>();
            var settle = Stopwatch.StartNew();
            var deadline = TimeSpan.FromSeconds(120);
            int waiting;
            while (true)
            {
                waiting = await CountInBackoffAsync(dbFactory, cancellationToken);
                if (waiting >= count)
                {
                    break;
                }

                if (settle.Elapsed > deadline)
                {
                    throw new TimeoutException($"Only {waiting} of {count} workspaces reached backoff within {deadline.TotalSeconds} s.");
                }

                await Task.Delay(TimeSpan.FromMilliseconds(250), TimeProvider.System, cancellationToken);
            }

            settle.Stop();
            Log.Progress($"all {waiting} clone_vm steps in backoff after {settle.Elapsed.TotalSeconds:N1} s; measuring");

            var loaded = await MeasureAsync(http, health, requestCount, useWrk, wrkSeconds, () => CountWaitingAsync(dbFactory, cancellationToken), cancellationToken);
            var (histogram, stillProvisioning) = await RetryHistogramAsync(dbFactory, cancellationToken);
            Log.Progress($"loaded: {loaded.ThreadsMax} threads, /health p99 {loaded.HttpP99Ms:N2} ms; retries {histogram}; provisioning {stillProvisioning}");

            var result = new BackoffRun(baseline, loaded, create.Elapsed.TotalSeconds, settle.Elapsed.TotalSeconds, histogram, stillProvisioning,
                HeldInBackoff: stillProvisioning == count);
            await File.WriteAllTextAsync(resultFile, JsonSerializer.Serialize(result, Json), cancellationToken);
            return 0;
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            RawSqliteBenchmark.TryDelete(dataDir);
        }
    }

    /// <summary>clone_vm steps that failed at least once and are still running (waiting for their next try).</summary>
    private static async Task<int> CountInBackoffAsync(IDbContextFactory<ProvisioningDbContext> dbFactory, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Steps.CountAsync(s => s.Name == "clone_vm" && s.RetryCount >= 1 && s.NextRetryAt != null && s.Status == StepStatus.Running, cancellationToken);
    }

    /// <summary>clone_vm steps whose next try is still in the future right now.</summary>
    private static async Task<int> CountWaitingAsync(IDbContextFactory<ProvisioningDbContext> dbFactory, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var due = await db.Steps.Where(s => s.Name == "clone_vm" && s.Status == StepStatus.Running && s.NextRetryAt != null)
            .Select(s => s.NextRetryAt!.Value)
            .ToListAsync(cancellationToken);
        var now = TimeProvider.System.GetUtcNow();
        return due.Count(d => d > now);
    }

    private static async Task<(string Histogram, int StillProvisioning)> RetryHistogramAsync(IDbContextFactory<ProvisioningDbContext> dbFactory, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var counts = await db.Steps.Where(s => s.Name == "clone_vm")
            .GroupBy(s => s.RetryCount)
            .Select(g => new { Retries = g.Key, Count = g.Count() })
            .ToListAsync(cancellationToken);
        var provisioning = await db.Workspaces.CountAsync(w => w.Status == WorkspaceStatus.Provisioning, cancellationToken);
        var histogram = string.Join(", ", counts.OrderBy(c => c.Retries).Select(c => $"{c.Count:N0} with {c.Retries}"));
        return (histogram, provisioning);
    }

    private static async Task<Measurement> MeasureAsync(
        HttpClient http, Uri health, int requestCount, bool useWrk, int wrkSeconds, Func<Task<int>>? backoffProbe, CancellationToken cancellationToken)
    {
        using var sampling = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var samples = new List<int>();
        var sampler = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100), TimeProvider.System);
            try
            {
                do
                {
                    using var self = Process.GetCurrentProcess();
                    lock (samples)
                    {
                        samples.Add(self.Threads.Count);
                    }
                }
                while (await timer.WaitForNextTickAsync(sampling.Token));
            }
            catch (OperationCanceledException)
            {
                // Measurement over.
            }
        }, CancellationToken.None);

        var managed = GC.GetTotalMemory(false);
        long workingSet;
        using (var self = Process.GetCurrentProcess())
        {
            workingSet = self.WorkingSet64;
        }

        // Warm the connection, the endpoint and the server under concurrency (tier-0 JIT, thread pool ramp-up),
        // the same way before both phases; none of it is recorded.
        for (var i = 0; i < 500; i++)
        {
            using var warm = await http.GetAsync(health, cancellationToken);
        }

        if (useWrk)
        {
            _ = await Wrk.RunAsync(health, 3, cancellationToken);
        }

        var inBackoffAtStart = backoffProbe is null ? 0 : await backoffProbe();

        var latencies = new double[requestCount];
        var failures = 0;
        for (var i = 0; i < requestCount; i++)
        {
            var start = Stopwatch.GetTimestamp();
            using var response = await http.GetAsync(health, cancellationToken);
            _ = await response.Content.ReadAsStringAsync(cancellationToken);
            latencies[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            failures += response.IsSuccessStatusCode ? 0 : 1;
        }

        Array.Sort(latencies);
        // Around the wrk run: GC pauses in this process, and how busy the machine was (this process, wrk and
        // anything else on the shared machine), to tell a slow portal from a busy neighbour.
        var pauseBefore = GC.GetTotalPauseDuration();
        var gen2Before = GC.CollectionCount(2);
        var cpuBefore = CpuTimes.Read();
        var ownBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var wrkClock = Stopwatch.StartNew();
        var wrk = useWrk ? await Wrk.RunAsync(health, wrkSeconds, cancellationToken) : null;
        var wrkElapsed = wrkClock.Elapsed.TotalSeconds;
        var own = (Process.GetCurrentProcess().TotalProcessorTime - ownBefore).TotalSeconds / wrkElapsed;
        var machine = CpuTimes.Read() - cpuBefore;
        var gcPauseMs = (GC.GetTotalPauseDuration() - pauseBefore).TotalMilliseconds;
        var gen2 = GC.CollectionCount(2) - gen2Before;

        await sampling.CancelAsync();
        await sampler;
        int[] threads;
        lock (samples)
        {
            threads = [.. samples];
        }

        var inBackoffAtEnd = backoffProbe is null ? 0 : await backoffProbe();

        // Last, as it disturbs the process: what stays alive after a full, compacting collection.
        var live = GC.GetTotalMemory(forceFullCollection: true);

        return new Measurement(
            ThreadsMedian: Stats.Median(threads.Select(t => (double)t)),
            ThreadsMax: threads.Max(),
            ManagedMb: managed / 1048576.0,
            LiveManagedMb: live / 1048576.0,
            WorkingSetMb: workingSet / 1048576.0,
            HttpP50Ms: Stats.Percentile(latencies, 50),
            HttpP95Ms: Stats.Percentile(latencies, 95),
            HttpP99Ms: Stats.Percentile(latencies, 99),
            HttpMaxMs: latencies[^1],
            HttpFailures: failures,
            Wrk: wrk,
            InBackoffAtStart: inBackoffAtStart,
            InBackoffAtEnd: inBackoffAtEnd,
            WrkWindow: useWrk ? new LoadWindow(own, machine.BusyCores, machine.StealPercent, gcPauseMs, gen2) : null);
    }

    internal sealed record Measurement(
        double ThreadsMedian, int ThreadsMax, double ManagedMb, double LiveManagedMb, double WorkingSetMb,
        double HttpP50Ms, double HttpP95Ms, double HttpP99Ms, double HttpMaxMs, int HttpFailures, WrkResult? Wrk,
        int InBackoffAtStart, int InBackoffAtEnd, LoadWindow? WrkWindow);

    /// <summary>During the wrk run: cores used by this process, by the whole machine, CPU steal, GC pauses here.</summary>
    internal sealed record LoadWindow(double OwnCores, double MachineCores, double StealPercent, double GcPauseMs, int Gen2Collections);

    internal sealed record BackoffRun(
        Measurement Baseline, Measurement Loaded, double CreateSeconds, double SettleSeconds, string RetryHistogram, int StillProvisioning, bool HeldInBackoff);
}
