using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Provisioning.Core.Persistence;

namespace Provisioning.Benchmarks;

/// <summary>
/// The workspaces page (<c>/workspaces</c>) with N workspaces: a signed-in Chromium opens it again and again, and
/// the page itself records (in an init script) when the first page's rows are in the DOM, counted from the
/// navigation's start (<c>performance.now()</c>). An EF Core command interceptor in the hosted portal counts the
/// database commands each page view costs.
/// </summary>
internal static partial class UiFirstPageBenchmark
{
    private const double TargetMs = 300;
    private const string RowSelector = "#workspaces-table tr.workspace-row";

    /// <summary>
    /// Installed in every document before its own scripts: a MutationObserver that notes, in ms since the navigation
    /// started, when the layout reports the circuit up and when the table's first row appears (MudTable renders a
    /// page's rows in one batch, so the first row means the page's rows), and how many rows there are then.
    /// </summary>
    private const string MarksScript = """
        (() => {
          const marks = window.__benchMarks = {};
          const check = () => {
            if (marks.interactive === undefined && document.querySelector("#app-ready[data-interactive='True']")) {
              marks.interactive = performance.now();
            }
            if (marks.rows === undefined) {
              const rows = document.querySelectorAll("#workspaces-table tr.workspace-row").length;
              if (rows > 0) {
                marks.rows = performance.now();
                marks.rowCount = rows;
              }
            }
          };
          new MutationObserver(check).observe(document, { childList: true, subtree: true, attributes: true, attributeFilter: ["data-interactive"] });
        })();
        """;

    private const string ReadMarks = """
        () => {
          const n = performance.getEntriesByType("navigation")[0];
          const m = window.__benchMarks || {};
          const negotiate = performance.getEntriesByType("resource").find(e => e.name.includes("/_blazor/negotiate"));
          return {
            responseStart: n.responseStart, domContentLoaded: n.domContentLoadedEventEnd,
            negotiateStart: negotiate ? negotiate.startTime : -1, negotiateEnd: negotiate ? negotiate.responseEnd : -1,
            interactive: m.interactive ?? -1, rows: m.rows ?? -1, rowCount: m.rowCount ?? 0,
            rowsNow: document.querySelectorAll("#workspaces-table tr.workspace-row").length
          };
        }
        """;

    public static async Task<int> RunAsync(BenchmarkOptions options, CancellationToken cancellationToken)
    {
        var count = options.Int("workspaces", 10_000);
        var runs = options.Int("runs", 3);
        var navigations = options.Int("navigations", 30);
        var warmup = options.Int("warmup", 5);
        var batchSize = options.Int("batch", 500);
        if (!BenchmarkBrowser.IsInstalled)
        {
            Console.Error.WriteLine($"{BenchmarkBrowser.Executable} is missing: apt-get install -y chromium");
            return 1;
        }

        var machineAtStart = Machine.Describe();
        PortalHost.UseBuildOutputAsWorkingDirectory();
        var dataDir = Directory.CreateTempSubdirectory("prov-bench-ui-first-page-");
        var profiler = new CommandProfiler();
        try
        {
            await using var factory = new BenchmarkPortalFactory(dataDir.FullName,
                services => services.ConfigureDbContext<SqliteProvisioningDbContext>((_, db) => db.AddInterceptors(profiler.Commands)));
            using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false });
            var address = await PortalHost.StartAsync(factory, http, cancellationToken);
            Log.Progress($"portal up at {address}; data in {dataDir.FullName}");

            var seedClock = Stopwatch.StartNew();
            await SeededWorkspaces.SeedReadyAsync(factory.Services, count, batchSize, cancellationToken);
            seedClock.Stop();
            var rows = await SeededWorkspaces.CountRowsAsync(factory.Services, cancellationToken);
            Log.Progress($"seeded {count:N0} ready workspaces in {seedClock.Elapsed.TotalSeconds:N1} s: {rows}");

            await using var browser = await BenchmarkBrowser.LaunchAsync(address);
            var state = await browser.SignInAsync(SeededWorkspaces.Member, SeededWorkspaces.Password);
            await using var context = await browser.NewContextAsync(state);
            await context.AddInitScriptAsync(MarksScript);
            var page = await context.NewPageAsync();
            var prerendered = await PrerenderedAsync(page);
            Log.Progress($"signed in as {SeededWorkspaces.Member}; the prerendered /workspaces has {prerendered}");

            Log.Progress($"warm-up: {warmup} page views (not recorded)");
            for (var i = 0; i < warmup; i++)
            {
                _ = await ViewAsync(page, profiler);
            }

            var results = new List<FirstPageRun>();
            for (var run = 1; run <= runs; run++)
            {
                var loadBefore = Machine.LoadAverage();
                Log.Progress($"run {run}/{runs}: {navigations} page views of /workspaces (load average {loadBefore})");
                var errorsBefore = browser.ErrorCount;
                using var cpu = CpuWindow.Start();
                profiler.Reset();
                var views = new List<PageView>();
                for (var i = 0; i < navigations; i++)
                {
                    views.Add(await ViewAsync(page, profiler));
                }

                // What came after the last view's rows (its late commands) belongs to the run too.
                var commands = profiler.Snapshot(double.NaN);
                var result = new FirstPageRun(views, commands, browser.ErrorCount - errorsBefore, cpu.Stop(), loadBefore, Machine.LoadAverage());
                results.Add(result);
                Log.Progress($"run {run}: rows p50 {Stats.F(result.RowsMs(50))} ms, p95 {Stats.F(result.RowsMs(95))} ms, " +
                    $"max {Stats.F(result.RowsMs(100))} ms; {Stats.F(result.CommandsPerView, 1)} commands per view" +
                    (result.Valid ? "" : $"; INVALID: {result.Failed} failed views, {result.BrowserErrors} browser errors"));
            }

            foreach (var error in browser.Errors.Take(10))
            {
                Log.Progress($"browser error: {error}");
            }

            Log.Progress($"the same page's server side alone: {navigations} sequential GET /workspaces with the session cookie (prerender only, no circuit)");
            var prerender = await PrerenderOnlyAsync(address, state, profiler, navigations, cancellationToken);

            Console.WriteLine($"Machine: {machineAtStart} at the start; load average {Machine.LoadAverage()} at the end of the runs.");
            Console.WriteLine();
            Print(results, count, navigations, warmup, seedClock.Elapsed.TotalSeconds, rows, prerendered, prerender);
            return results.All(r => r.Valid) ? 0 : 1;
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            RawSqliteBenchmark.TryDelete(dataDir);
        }
    }

    /// <summary>One look at the HTML the server prerenders for <c>/workspaces</c> (before any circuit): rows and the table's text.</summary>
    private static async Task<string> PrerenderedAsync(IPage page)
    {
        var response = await page.GotoAsync("/workspaces") ?? throw new InvalidOperationException("No response for /workspaces.");
        var html = await response.TextAsync();
        await page.Locator(RowSelector).First.WaitForAsync();
        var table = TableBody().Match(html);
        var text = table.Success ? Tags().Replace(table.Groups[1].Value, " ") : "";
        text = Regex.Replace(text, @"\s+", " ").Trim();
        return $"{RowCount().Matches(html).Count} rows in its table (answer {(int)response.Status}, {html.Length:N0} characters; table body text: \"{text}\")";
    }

    /// <summary>
    /// One page view: a full navigation to <c>/workspaces</c> (prerendered HTML, then the circuit), until the
    /// table's rows are in the DOM. Commands are counted from the navigation's start to the rows, and to the next view.
    /// </summary>
    private static async Task<PageView> ViewAsync(IPage page, CommandProfiler profiler)
    {
        var commandsAtStart = profiler.Snapshot(double.NaN).Commands;
        var clock = Stopwatch.StartNew();
        try
        {
            var response = await page.GotoAsync("/workspaces", new PageGotoOptions { Timeout = 30_000 });
            await page.Locator(RowSelector).First.WaitForAsync(new LocatorWaitForOptions { Timeout = 30_000 });
            var wall = clock.Elapsed.TotalMilliseconds;
            var commandsAtRows = profiler.Snapshot(double.NaN).Commands;
            var marks = await page.EvaluateAsync<JsonElement>(ReadMarks);
            double D(string name) => marks.GetProperty(name).GetDouble();
            var ok = response is { Status: 200 } && D("rows") > 0 && D("rowCount") == D("rowsNow");
            return new PageView(ok, D("responseStart"), D("domContentLoaded"), D("negotiateStart"), D("negotiateEnd"), D("interactive"), D("rows"),
                (int)D("rowCount"), wall, commandsAtRows - commandsAtStart);
        }
        catch (TimeoutException)
        {
            return new PageView(false, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, 0, clock.Elapsed.TotalMilliseconds, 0);
        }
    }

    private static async Task<PrerenderOnly> PrerenderOnlyAsync(Uri address, string storageState, CommandProfiler profiler, int requests, CancellationToken cancellationToken)
    {
        using var state = JsonDocument.Parse(storageState);
        var cookie = string.Join("; ", state.RootElement.GetProperty("cookies").EnumerateArray()
            .Select(c => $"{c.GetProperty("name").GetString()}={c.GetProperty("value").GetString()}"));
        using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false });
        async Task<double> GetAsync()
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(address, "/workspaces"));
            request.Headers.Add("Cookie", cookie);
            var clock = Stopwatch.StartNew();
            using var response = await http.SendAsync(request, cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            if (response.StatusCode != System.Net.HttpStatusCode.OK || !body.Contains("workspaces-table", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"GET /workspaces with the session cookie answered {(int)response.StatusCode}, not the page.");
            }

            return clock.Elapsed.TotalMilliseconds;
        }

        for (var i = 0; i < 5; i++)
        {
            _ = await GetAsync();
        }

        var times = new List<double>();
        var commandsBefore = profiler.Snapshot(double.NaN).Commands;
        using var cpu = CpuWindow.Start();
        for (var i = 0; i < requests; i++)
        {
            times.Add(await GetAsync());
        }

        var use = cpu.Stop();
        var commands = profiler.Snapshot(double.NaN).Commands - commandsBefore;
        return new PrerenderOnly(requests, Stats.Median(times), use.OwnMsPer(requests), (double)commands / requests);
    }

    private static void Print(
        List<FirstPageRun> runs, int count, int navigations, int warmup, double seedSeconds, string rows, string prerendered, PrerenderOnly prerender)
    {
        double M(Func<FirstPageRun, double> pick) => Stats.Median(runs.Select(pick));
        var p95 = M(r => r.RowsMs(95));
        var rowCount = runs.SelectMany(r => r.Views).Where(v => v.Ok).Select(v => v.RowCount).DefaultIfEmpty(0).Max();
        var perRow = M(r => r.CommandsPerView) / Math.Max(1, rowCount);
        var valid = runs.All(r => r.Valid);
        Console.WriteLine($"### /workspaces with {count:N0} workspaces: navigation start → first page's rows in the DOM, " +
            $"{navigations} page views per run after {warmup} not recorded, medians of {runs.Count} runs");
        Console.WriteLine();
        var table = new MarkdownTable("measure", "median of runs", "per run", "target", "met");
        string PerRun(Func<FirstPageRun, double> pick, int decimals = 0) => string.Join(" · ", runs.Select(r => Stats.F(pick(r), decimals)));
        table.Row("rows in the DOM, p50 ms", Stats.F(M(r => r.RowsMs(50))), PerRun(r => r.RowsMs(50)), "", "");
        table.Row("rows in the DOM, p95 ms", Stats.F(p95), PerRun(r => r.RowsMs(95)), $"< {TargetMs:0} ms", Met(p95 < TargetMs));
        table.Row("rows in the DOM, max ms", Stats.F(M(r => r.RowsMs(100))), PerRun(r => r.RowsMs(100)), "", "");
        table.Row("… prerendered HTML's first byte (`responseStart`), p50 ms", Stats.F(M(r => r.P(v => v.ResponseStartMs, 50))), PerRun(r => r.P(v => v.ResponseStartMs, 50)), "", "");
        table.Row("… `DOMContentLoaded` done, p50 ms", Stats.F(M(r => r.P(v => v.DomContentLoadedMs, 50))), PerRun(r => r.P(v => v.DomContentLoadedMs, 50)), "", "");
        table.Row("… Blazor's script asks for a circuit (`_blazor/negotiate` sent), p50 ms", Stats.F(M(r => r.P(v => v.NegotiateStartMs, 50))), PerRun(r => r.P(v => v.NegotiateStartMs, 50)), "", "");
        table.Row("… negotiate answered, p50 ms", Stats.F(M(r => r.P(v => v.NegotiateEndMs, 50))), PerRun(r => r.P(v => v.NegotiateEndMs, 50)), "", "");
        table.Row("… circuit up (layout's `data-interactive='True'`), p50 ms", Stats.F(M(r => r.P(v => v.InteractiveMs, 50))), PerRun(r => r.P(v => v.InteractiveMs, 50)), "", "");
        table.Row("… circuit up → rows, p50 ms", Stats.F(M(r => r.P(v => v.RowsMs - v.InteractiveMs, 50))), PerRun(r => r.P(v => v.RowsMs - v.InteractiveMs, 50)), "", "");
        table.Row("wall time in the benchmark (Playwright `GotoAsync` + wait for the rows), p50 ms", Stats.F(M(r => r.P(v => v.WallMs, 50))), PerRun(r => r.P(v => v.WallMs, 50)), "", "");
        table.Row("rows rendered (first page)", rowCount.ToString(CultureInfo.InvariantCulture), "", "", "");
        table.Row("database commands per page view (all commands during the run ÷ views)", Stats.F(M(r => r.CommandsPerView), 1), PerRun(r => r.CommandsPerView, 1), "", "");
        table.Row("… of them before the rows were in the DOM, median per view", Stats.F(M(r => Stats.Median(r.Views.Where(v => v.Ok).Select(v => (double)v.CommandsToRows))), 1),
            PerRun(r => Stats.Median(r.Views.Where(v => v.Ok).Select(v => (double)v.CommandsToRows)), 1), "", "");
        table.Row("database commands per rendered row", Stats.F(perRow, 2), "", "≤ 1", Met(perRow <= 1));
        table.Row("time inside database commands per page view, ms", Stats.F(M(r => r.Commands.CommandTime.TotalMilliseconds / r.Views.Count), 2),
            PerRun(r => r.Commands.CommandTime.TotalMilliseconds / r.Views.Count, 2), "", "");
        table.Row("portal CPU per page view, ms (this process's CPU ÷ views)", Stats.F(M(r => r.PortalCpuMsPerView), 1), PerRun(r => r.PortalCpuMsPerView, 1), "", "");
        table.Row("browser CPU per page view, ms (Chromium's processes + Playwright's driver ÷ views)", Stats.F(M(r => r.BrowserCpuMsPerView), 1), PerRun(r => r.BrowserCpuMsPerView, 1), "", "");
        table.Row($"cores busy during the run, of {Environment.ProcessorCount}: machine (portal + browser + others)", runs.Count == 0 ? "" : runs[runs.Count / 2].Cpu.ToString(),
            string.Join(" · ", runs.Select(r => r.Cpu.ToString())), "", "");
        table.Row("failed or timed-out views + browser errors, all runs", $"{runs.Sum(r => r.Failed)} + {runs.Sum(r => r.BrowserErrors)}", "", "0", Met(valid));
        Console.WriteLine(table);

        Console.WriteLine("Per run:");
        Console.WriteLine();
        var perRun = new MarkdownTable("run", "load average at start → end", "views", "rows p50 / p95 / max ms", "circuit up p50 ms", "commands per view", "run took, s");
        for (var i = 0; i < runs.Count; i++)
        {
            var r = runs[i];
            perRun.Row((i + 1).ToString(CultureInfo.InvariantCulture), $"{r.LoadAtStart} → {r.LoadAtEnd}", r.Views.Count.ToString(CultureInfo.InvariantCulture),
                $"{Stats.F(r.RowsMs(50))} / {Stats.F(r.RowsMs(95))} / {Stats.F(r.RowsMs(100))}", Stats.F(r.P(v => v.InteractiveMs, 50)),
                Stats.F(r.CommandsPerView, 1), Stats.F(r.Seconds, 1));
        }

        Console.WriteLine(perRun);
        var last = runs[^1];
        Console.WriteLine($"Database commands of the last run, by statement ({last.Views.Count} page views; per view = count ÷ views):");
        Console.WriteLine();
        var statements = new MarkdownTable("statement (first 110 characters, parameters elided)", "count", "per view", "ms inside, total");
        foreach (var (statement, n, time) in last.Commands.Statements.OrderByDescending(s => s.Count))
        {
            statements.Row($"`{statement.Replace("|", "\\|", StringComparison.Ordinal)}`", n.ToString("N0", CultureInfo.InvariantCulture),
                Stats.F((double)n / last.Views.Count, 2), Stats.F(time.TotalMilliseconds, 1));
        }

        Console.WriteLine(statements);
        Console.WriteLine($"The server side alone, after the runs: {prerender.Requests} sequential `GET /workspaces` with the session cookie " +
            $"(prerendered HTML only, no circuit): p50 {Stats.F(prerender.P50Ms, 1)} ms, portal CPU {Stats.F(prerender.CpuMsPerRequest, 1)} ms per request, " +
            $"{Stats.F(prerender.CommandsPerRequest, 1)} database commands per request.");
        Console.WriteLine();
        Console.WriteLine($"Seeding: {rows}, inserted in {seedSeconds:N1} s. Prerendered `/workspaces`: {prerendered}.");
        if (!valid)
        {
            Console.WriteLine();
            Console.WriteLine("**Some runs are invalid: page views failed or timed out, or the browser reported errors.**");
        }
    }

    private static string Met(bool met) => met ? "met" : "**missed**";

    [GeneratedRegex("<tbody[^>]*>(.*?)</tbody>", RegexOptions.Singleline)]
    private static partial Regex TableBody();

    [GeneratedRegex("<[^>]+>")]
    private static partial Regex Tags();

    [GeneratedRegex(@"<tr[^>]*class=""[^""]*workspace-row")]
    private static partial Regex RowCount();

    /// <summary>One page view, times in ms since the navigation started (the document's <c>performance.timeOrigin</c>).</summary>
    private sealed record PageView(
        bool Ok, double ResponseStartMs, double DomContentLoadedMs, double NegotiateStartMs, double NegotiateEndMs, double InteractiveMs, double RowsMs,
        int RowCount, double WallMs, long CommandsToRows);

    /// <summary>Sequential GETs of the page's prerendered HTML: what the server spends on the page without a circuit.</summary>
    private sealed record PrerenderOnly(int Requests, double P50Ms, double CpuMsPerRequest, double CommandsPerRequest);

    private sealed record FirstPageRun(List<PageView> Views, CommandProfile Commands, int BrowserErrors, CpuUse Cpu, string LoadAtStart, string LoadAtEnd)
    {
        public int Failed => Views.Count(v => !v.Ok);

        public bool Valid => Failed == 0 && BrowserErrors == 0;

        public double CommandsPerView => (double)Commands.Commands / Views.Count;

        public double Seconds => Cpu.Seconds;

        public double PortalCpuMsPerView => Cpu.OwnMsPer(Views.Count);

        public double BrowserCpuMsPerView => Cpu.DescendantMsPer(Views.Count);

        public double RowsMs(double percentile) => P(v => v.RowsMs, percentile);

        public double P(Func<PageView, double> pick, double percentile) =>
            Stats.Percentile(Views.Where(v => v.Ok).Select(pick).Order().ToArray(), percentile);
    }
}
