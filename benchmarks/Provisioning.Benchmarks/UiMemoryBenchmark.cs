using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using Microsoft.AspNetCore.Components.Server.Circuits;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Provisioning.Core.Workspaces;

namespace Provisioning.Benchmarks;

/// <summary>
/// Server memory per open circuit on the workspace page: the portal's managed heap after a forced full GC, and its
/// working set, with 0 circuits and then with N pages open on <c>/workspaces/{id}</c>. The portal is hosted in this
/// process; the browser is driven from a child process (<c>ui-memory-browser</c>), so Playwright's own objects for
/// N pages are not on the heap being measured.
/// </summary>
internal static class UiMemoryBenchmark
{
    public const string BrowserCommand = "ui-memory-browser";
    // Issue 18 (was 500 KB, issue 4): at most 300 KB per idle circuit on the workspace page.
    private const double TargetKb = 300;

    public static async Task<int> RunAsync(BenchmarkOptions options, CancellationToken cancellationToken)
    {
        var count = options.Int("workspaces", 10_000);
        var runs = options.Int("runs", 3);
        var pageCount = options.Int("pages", 100);
        var perContext = options.Int("pages-per-context", 10);
        var warmupPages = options.Int("warmup-pages", 10);
        var gcdumps = options.String("gcdump");
        if (!BenchmarkBrowser.IsInstalled)
        {
            Console.Error.WriteLine($"{BenchmarkBrowser.Executable} is missing: apt-get install -y chromium");
            return 1;
        }

        var machineAtStart = Machine.Describe();
        PortalHost.UseBuildOutputAsWorkingDirectory();
        var dataDir = Directory.CreateTempSubdirectory("prov-bench-ui-memory-");
        var circuits = new CircuitCounter();
        try
        {
            await using var factory = new BenchmarkPortalFactory(dataDir.FullName, services => services.AddSingleton<CircuitHandler>(circuits));
            using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false });
            var address = await PortalHost.StartAsync(factory, http, cancellationToken);
            Log.Progress($"portal up at {address}; data in {dataDir.FullName}");
            var seedClock = Stopwatch.StartNew();
            var ids = await SeededWorkspaces.SeedReadyAsync(factory.Services, count, options.Int("batch", 500), cancellationToken);
            var rows = await SeededWorkspaces.CountRowsAsync(factory.Services, cancellationToken);
            Log.Progress($"seeded {count:N0} ready workspaces in {seedClock.Elapsed.TotalSeconds:N1} s: {rows}");
            // Another path (--path) measures another page under the same layout, e.g. an unknown workspace's "not found".
            var path = options.String("path") ?? $"/workspaces/{ids[count / 2]}";
            var updates = factory.Services.GetRequiredService<IWorkspaceUpdates>() as InProcessWorkspaceUpdates;

            Log.Progress($"warm-up: {warmupPages} pages on {path}, opened and closed (not recorded)");
            _ = await OpenPagesAsync(address, path, warmupPages, perContext, circuits, updates, cancellationToken);

            var results = new List<MemoryRun>();
            for (var run = 1; run <= runs; run++)
            {
                var loadBefore = Machine.LoadAverage();
                Log.Progress($"run {run}/{runs}: {pageCount} pages on {path} (load average {loadBefore})");
                var result = await OpenPagesAsync(address, path, pageCount, perContext, circuits, updates, cancellationToken,
                    gcdumps is null ? null : Path.Combine(gcdumps, $"run-{run}"));
                result = result with { LoadAtStart = loadBefore, LoadAtEnd = Machine.LoadAverage() };
                results.Add(result);
                Log.Progress($"run {run}: {result.CircuitsAdded} circuits: heap +{Stats.F(result.HeapKbPerCircuit)} KB, " +
                    $"working set +{Stats.F(result.WorkingSetKbPerCircuit)} KB per circuit" +
                    (result.Valid ? "" : $"; INVALID: {result.Problem}"));
            }

            Console.WriteLine($"Machine: {machineAtStart} at the start; load average {Machine.LoadAverage()} at the end of the runs.");
            Console.WriteLine();
            Print(results, pageCount, perContext, path, rows);
            return results.All(r => r.Valid) ? 0 : 1;
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            RawSqliteBenchmark.TryDelete(dataDir);
        }
    }

    /// <summary>
    /// Baseline with no circuit; the child opens the pages; once the portal counts that many connected circuits,
    /// measure; the child closes them; measure again once the portal has let the circuits go.
    /// </summary>
    private static async Task<MemoryRun> OpenPagesAsync(
        Uri address, string path, int pages, int perContext, CircuitCounter circuits, InProcessWorkspaceUpdates? updates, CancellationToken cancellationToken,
        string? gcdumpPrefix = null)
    {
        var retention = TimeSpan.FromMinutes(4);
        var settled = await circuits.WaitUntilAsync(c => c.Open == 0, retention, cancellationToken);
        var baseline = MemorySample.Take(circuits, updates);
        await GcDumpAsync(gcdumpPrefix, "without", cancellationToken);

        var start = SelfProcess.StartInfo([BrowserCommand, "--url", address.ToString(), "--path", path,
            "--pages", pages.ToString(CultureInfo.InvariantCulture), "--pages-per-context", perContext.ToString(CultureInfo.InvariantCulture)]);
        start.RedirectStandardInput = true;
        start.RedirectStandardOutput = true;
        using var child = Process.Start(start)!;
        try
        {
            var ready = await ReadLineAsync(child, "ready", cancellationToken);
            var openSeconds = double.Parse(ready[2], CultureInfo.InvariantCulture);
            var allUp = await circuits.WaitUntilAsync(c => c.Open >= baseline.Circuits + pages && c.Connected >= pages, TimeSpan.FromSeconds(60), cancellationToken);
            var loaded = MemorySample.Take(circuits, updates);
            await GcDumpAsync(gcdumpPrefix, "with", cancellationToken);

            await child.StandardInput.WriteLineAsync("close");
            await child.StandardInput.FlushAsync(cancellationToken);
            var closed = await ReadLineAsync(child, "closed", cancellationToken);
            await child.WaitForExitAsync(cancellationToken);
            var closeClock = Stopwatch.StartNew();
            var released = await circuits.WaitUntilAsync(c => c.Open == 0, retention, cancellationToken);
            var releaseSeconds = closeClock.Elapsed.TotalSeconds;
            var after = MemorySample.Take(circuits, updates);

            var errors = int.Parse(closed[1], CultureInfo.InvariantCulture);
            var problem = new List<string>();
            if (!settled)
            {
                problem.Add($"{baseline.Circuits} circuits still open before the baseline");
            }

            if (!allUp)
            {
                problem.Add($"only {loaded.Circuits} circuits ({circuits.Connected} connected) of {pages} came up");
            }

            if (!released)
            {
                problem.Add($"{after.Circuits} circuits still open {retention.TotalMinutes:0} min after the pages closed");
            }

            if (errors > 0 || child.ExitCode != 0)
            {
                problem.Add($"{errors} browser errors, child exit code {child.ExitCode}");
            }

            return new MemoryRun(baseline, loaded, after, openSeconds, releaseSeconds, released, problem.Count == 0 ? null : string.Join("; ", problem), "", "");
        }
        finally
        {
            if (!child.HasExited)
            {
                child.Kill(entireProcessTree: true);
            }
        }
    }

    /// <summary>
    /// <c>--gcdump DIR</c>: a heap snapshot of this process (<c>dotnet-gcdump collect</c>, a dotnet global tool) next to
    /// each measurement, to see by type where a circuit's memory goes (<c>dotnet-gcdump report FILE</c>).
    /// </summary>
    private static async Task GcDumpAsync(string? prefix, string name, CancellationToken cancellationToken)
    {
        if (prefix is null)
        {
            return;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(prefix)!);
        var tool = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".dotnet", "tools", "dotnet-gcdump");
        var start = new ProcessStartInfo(File.Exists(tool) ? tool : "dotnet-gcdump")
        {
            ArgumentList = { "collect", "-p", Environment.ProcessId.ToString(CultureInfo.InvariantCulture), "-o", $"{prefix}-{name}.gcdump" },
            RedirectStandardOutput = true,
        };
        using var dump = Process.Start(start)!;
        await dump.StandardOutput.ReadToEndAsync(cancellationToken);
        await dump.WaitForExitAsync(cancellationToken);
        Log.Progress($"heap snapshot {prefix}-{name}.gcdump (exit code {dump.ExitCode})");
    }

    /// <summary>The child's next stdout line, which must start with <paramref name="word"/>; its words.</summary>
    private static async Task<string[]> ReadLineAsync(Process child, string word, CancellationToken cancellationToken)
    {
        var line = await child.StandardOutput.ReadLineAsync(cancellationToken)
            ?? throw new InvalidOperationException($"The browser process ended (exit code {(child.HasExited ? child.ExitCode : -1)}) before saying '{word}'.");
        var words = line.Split(' ');
        return words[0] == word ? words : throw new InvalidOperationException($"The browser process said '{line}', not '{word}'.");
    }

    /// <summary>
    /// <c>ui-memory-browser</c>: signs in, opens N pages on the path (contexts of M pages, 4 opening at a time), waits
    /// until each is interactive and shows the workspace, says <c>ready N errors seconds</c>; on a line on stdin,
    /// leaves each page (so Blazor sends its disconnect beacon) and closes, saying <c>closed errors</c>.
    /// </summary>
    public static async Task<int> RunBrowserAsync(BenchmarkOptions options, CancellationToken cancellationToken)
    {
        var url = new Uri(options.String("url") ?? throw new ArgumentException("--url is required"));
        var path = options.String("path") ?? throw new ArgumentException("--path is required");
        var pageCount = options.Int("pages", 100);
        var perContext = options.Int("pages-per-context", 10);
        await using var browser = await BenchmarkBrowser.LaunchAsync(url);
        var state = await browser.SignInAsync(SeededWorkspaces.Member, SeededWorkspaces.Password);
        var clock = Stopwatch.StartNew();
        var contexts = new List<IBrowserContext>();
        for (var c = 0; c * perContext < pageCount; c++)
        {
            contexts.Add(await browser.NewContextAsync(state, animations: false));
        }

        var pages = new IPage[pageCount];
        await Parallel.ForEachAsync(Enumerable.Range(0, pageCount), new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken },
            async (i, _) =>
            {
                var page = await contexts[i / perContext].NewPageAsync();
                pages[i] = page;
                await page.GotoAsync(path, new PageGotoOptions { Timeout = 120_000 });
                await BenchmarkBrowser.WaitForInteractiveAsync(page, 120_000);
                await page.Locator("#workspace-steps, #workspace-not-found").First.WaitForAsync(new LocatorWaitForOptions { Timeout = 120_000 });
            });
        Log.Progress($"browser: {pageCount} pages in {contexts.Count} contexts interactive on {path} in {clock.Elapsed.TotalSeconds:N1} s");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ready {pageCount} {clock.Elapsed.TotalSeconds:0.0} {browser.ErrorCount}"));
        await Console.Out.FlushAsync(cancellationToken);

        _ = await Console.In.ReadLineAsync(cancellationToken);
        await Parallel.ForEachAsync(pages, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken },
            async (page, _) => await page.GotoAsync("about:blank"));
        foreach (var context in contexts)
        {
            await context.CloseAsync();
        }

        foreach (var error in browser.Errors.Take(10))
        {
            Log.Progress($"browser error: {error}");
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"closed {browser.ErrorCount}"));
        await Console.Out.FlushAsync(cancellationToken);
        return 0;
    }

    private static void Print(List<MemoryRun> runs, int pages, int perContext, string path, string rows)
    {
        double M(Func<MemoryRun, double> pick) => Stats.Median(runs.Select(pick));
        string PerRun(Func<MemoryRun, double> pick, int decimals = 0) => string.Join(" · ", runs.Select(r => Stats.F(pick(r), decimals)));
        var heapKb = M(r => r.HeapKbPerCircuit);
        var valid = runs.All(r => r.Valid);
        Console.WriteLine($"### Server memory per circuit: {pages} Chromium pages on `/workspaces/{{id}}` ({pages / perContext} contexts of {perContext}), " +
            $"medians of {runs.Count} runs");
        Console.WriteLine();
        var table = new MarkdownTable("measure", "median of runs", "per run", "target", "met");
        table.Row("managed heap after a forced full GC, MB: 0 circuits (before the pages)", Stats.F(M(r => r.Baseline.HeapMb), 1), PerRun(r => r.Baseline.HeapMb, 1), "", "");
        table.Row($"… with the {pages} pages open", Stats.F(M(r => r.Loaded.HeapMb), 1), PerRun(r => r.Loaded.HeapMb, 1), "", "");
        table.Row("… after closing them, once the circuits are gone", Stats.F(M(r => r.After.HeapMb), 1), PerRun(r => r.After.HeapMb, 1), "", "");
        table.Row("**managed heap per circuit, KB** ((with − without) ÷ circuits)", Stats.F(heapKb), PerRun(r => r.HeapKbPerCircuit), $"≤ {TargetKb:0} KB", Met(heapKb <= TargetKb));
        table.Row("working set, MB: 0 circuits", Stats.F(M(r => r.Baseline.WorkingSetMb), 1), PerRun(r => r.Baseline.WorkingSetMb, 1), "", "");
        table.Row($"… with the {pages} pages open", Stats.F(M(r => r.Loaded.WorkingSetMb), 1), PerRun(r => r.Loaded.WorkingSetMb, 1), "", "");
        table.Row("… after closing them", Stats.F(M(r => r.After.WorkingSetMb), 1), PerRun(r => r.After.WorkingSetMb, 1), "", "");
        table.Row("**working set per circuit, KB**", Stats.F(M(r => r.WorkingSetKbPerCircuit)), PerRun(r => r.WorkingSetKbPerCircuit), "", "");
        table.Row("circuits open (connected) when measured with the pages", Stats.F(M(r => r.Loaded.Circuits)), PerRun(r => r.Loaded.Circuits), $"{pages}", "");
        table.Row("live-update subscriptions with the pages (page + notification bell)", Stats.F(M(r => r.Loaded.Subscribers)), PerRun(r => r.Loaded.Subscribers), "", "");
        table.Row("process threads with the pages", Stats.F(M(r => r.Loaded.Threads)), PerRun(r => r.Loaded.Threads), "", "");
        table.Row("opening the pages took, s (4 at a time)", Stats.F(M(r => r.OpenSeconds), 1), PerRun(r => r.OpenSeconds, 1), "", "");
        table.Row("circuits gone after the pages closed, s", Stats.F(M(r => r.ReleaseSeconds), 1), PerRun(r => r.ReleaseSeconds, 1), "", "");
        table.Row("runs with a problem (circuits not up or not gone, browser errors)", runs.Count(r => !r.Valid).ToString(CultureInfo.InvariantCulture), "", "0", Met(valid));
        Console.WriteLine(table);
        Console.WriteLine("Per run:");
        Console.WriteLine();
        var perRun = new MarkdownTable("run", "load average at start → end", "heap MB 0 → N → closed", "working set MB 0 → N → closed", "circuits", "problem");
        for (var i = 0; i < runs.Count; i++)
        {
            var r = runs[i];
            perRun.Row((i + 1).ToString(CultureInfo.InvariantCulture), $"{r.LoadAtStart} → {r.LoadAtEnd}",
                $"{Stats.F(r.Baseline.HeapMb, 1)} → {Stats.F(r.Loaded.HeapMb, 1)} → {Stats.F(r.After.HeapMb, 1)}",
                $"{Stats.F(r.Baseline.WorkingSetMb, 1)} → {Stats.F(r.Loaded.WorkingSetMb, 1)} → {Stats.F(r.After.WorkingSetMb, 1)}",
                $"{r.Baseline.Circuits} → {r.Loaded.Circuits} → {r.After.Circuits}", r.Problem ?? "");
        }

        Console.WriteLine(perRun);
        Console.WriteLine($"Database: {rows}; the pages show `{path}`.");
    }

    private static string Met(bool met) => met ? "met" : "**missed**";

    private sealed record MemorySample(double HeapMb, double WorkingSetMb, int Circuits, int Subscribers, int Threads)
    {
        /// <summary>Two forced, compacting full GCs (large objects too), then the heap and the working set.</summary>
        public static MemorySample Take(CircuitCounter circuits, InProcessWorkspaceUpdates? updates)
        {
            GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
            var heap = GC.GetTotalMemory(forceFullCollection: true);
            using var self = Process.GetCurrentProcess();
            return new MemorySample(heap / 1024.0 / 1024, self.WorkingSet64 / 1024.0 / 1024, circuits.Open, updates?.SubscriberCount ?? -1, self.Threads.Count);
        }
    }

    private sealed record MemoryRun(
        MemorySample Baseline, MemorySample Loaded, MemorySample After, double OpenSeconds, double ReleaseSeconds, bool Released, string? Problem,
        string LoadAtStart, string LoadAtEnd)
    {
        public int CircuitsAdded => Loaded.Circuits - Baseline.Circuits;

        public bool Valid => Problem is null;

        public double HeapKbPerCircuit => (Loaded.HeapMb - Baseline.HeapMb) * 1024 / CircuitsAdded;

        public double WorkingSetKbPerCircuit => (Loaded.WorkingSetMb - Baseline.WorkingSetMb) * 1024 / CircuitsAdded;
    }
}
