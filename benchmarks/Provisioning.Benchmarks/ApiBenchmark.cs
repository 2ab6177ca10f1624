using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Provisioning.Core.Templates;
using Provisioning.Core.Steps;

namespace Provisioning.Benchmarks;

/// <summary>
/// <c>GET /api/v1/workspaces/{id}</c> under load from wrk, with N ready workspaces in the database, next to
/// <c>GET /health</c> in the same session (the framework's own ceiling on this machine). The real portal is
/// hosted in this process (WebApplicationFactory on a real Kestrel port); wrk runs as its own process on loopback.
/// </summary>
internal static partial class ApiBenchmark
{
    private const double ThroughputTarget = 0.30;
    private const double P99TargetMs = 25;

    public static async Task<int> RunAsync(BenchmarkOptions options, CancellationToken cancellationToken)
    {
        var count = options.Int("workspaces", 10_000);
        var runs = options.Int("runs", 3);
        var wrkSeconds = options.Int("wrk-seconds", 10);
        var warmupSeconds = options.Int("warmup-seconds", 5);
        var batchSize = options.Int("batch", 500);
        if (!Wrk.IsInstalled)
        {
            Console.Error.WriteLine($"{Wrk.Executable} is missing: apt-get install -y wrk");
            return 1;
        }

        var machineAtStart = Machine.Describe();
        PortalHost.UseBuildOutputAsWorkingDirectory();
        var dataDir = Directory.CreateTempSubdirectory("prov-bench-api-");
        try
        {
            await using var factory = new BenchmarkPortalFactory(dataDir.FullName);
            using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false });
            var address = await PortalHost.StartAsync(factory, http, cancellationToken);
            var health = new Uri(address, "/health");
            Log.Progress($"portal up at {address}; data in {dataDir.FullName}");

            var seedClock = Stopwatch.StartNew();
            var ids = await SeededWorkspaces.SeedReadyAsync(factory.Services, count, batchSize, cancellationToken);
            seedClock.Stop();
            var rows = await SeededWorkspaces.CountRowsAsync(factory.Services, cancellationToken);
            Log.Progress($"seeded {count:N0} ready workspaces in {seedClock.Elapsed.TotalSeconds:N1} s: {rows}");

            var token = await LoginAsync(http, address, cancellationToken);
            var sample = await CheckOneAsync(http, address, token, ids[count / 2], cancellationToken);
            Log.Progress($"logged in as {SeededWorkspaces.Member}; GET /api/v1/workspaces/{{id}} answers 200 with {sample} bytes");

            var script = WriteScript(Path.Combine(dataDir.FullName, "get-workspace.lua"), token, ids.Select(PathOf).ToList());
            var api = new Uri(address, "/api/v1/workspaces/");

            Log.Progress($"warm-up: {warmupSeconds} s of wrk on each endpoint (not recorded)");
            _ = await MeasureAsync(api, warmupSeconds, script, cancellationToken);
            _ = await MeasureAsync(health, warmupSeconds, script: null, cancellationToken);

            var results = new List<ApiRun>();
            for (var run = 1; run <= runs; run++)
            {
                var loadBefore = Machine.LoadAverage();
                Log.Progress($"run {run}/{runs}: wrk -t2 -c10 -d{wrkSeconds}s on GET /api/v1/workspaces/{{id}}, then on GET /health (load average {loadBefore})");
                var apiRun = await MeasureAsync(api, wrkSeconds, script, cancellationToken);
                var healthRun = await MeasureAsync(health, wrkSeconds, script: null, cancellationToken);
                var result = new ApiRun(apiRun, healthRun, loadBefore, Machine.LoadAverage());
                results.Add(result);
                Log.Progress($"run {run}: api {apiRun.Wrk.RequestsPerSecond:N0} req/s p99 {apiRun.Wrk.P99Ms:N2} ms; " +
                    $"health {healthRun.Wrk.RequestsPerSecond:N0} req/s p99 {healthRun.Wrk.P99Ms:N2} ms; ratio {Stats.Pct(result.Ratio)}" +
                    (result.Valid ? "" : $"; INVALID: api non-200 {apiRun.Non200}, health errors {healthRun.Non200}"));
            }

            var loadAtEnd = Machine.LoadAverage();
            string? profile = null;
            if (options.Flag("profile"))
            {
                profile = await ProfileAsync(factory.Services, address, health, token, ids, script, wrkSeconds, dataDir.FullName, cancellationToken);
            }

            Console.WriteLine($"Machine: {machineAtStart} at the start; load average {loadAtEnd} at the end of the runs.");
            Console.WriteLine();
            Print(results, count, wrkSeconds, seedClock.Elapsed.TotalSeconds, rows, sample);
            if (profile is not null)
            {
                Console.WriteLine(profile);
            }

            return results.All(r => r.Valid) ? 0 : 1;
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            RawSqliteBenchmark.TryDelete(dataDir);
        }
    }

    /// <summary>
    /// <c>--profile</c>, after the measured runs: wrk on variants that take pieces away (the Lua script on /health:
    /// wrk's own cost; unknown ids: authentication and one query, no includes, no JSON body of ours), then the
    /// pieces of one request timed in-process (<see cref="ApiProfile"/>).
    /// </summary>
    private static async Task<string> ProfileAsync(
        IServiceProvider services, Uri address, Uri health, string token, List<Guid> ids, string script, int wrkSeconds, string directory,
        CancellationToken cancellationToken)
    {
        var healthScript = WriteScript(Path.Combine(directory, "health.lua"), token, ["/health"]);
        var unknownScript = WriteScript(Path.Combine(directory, "unknown.lua"), token,
            ids.Select(_ => PathOf(Guid.CreateVersion7(TimeProvider.System.GetUtcNow()))).ToList());
        var api = new Uri(address, "/api/v1/workspaces/");
        var variants = new (string Name, Uri Url, string? Script)[]
        {
            ("`GET /api/v1/workspaces/{id}`, ids of seeded workspaces (as measured above)", api, script),
            ("`GET /health` through the same kind of Lua script (Authorization header, random pick of 1 path, response counting)", health, healthScript),
            ("`GET /api/v1/workspaces/{id}`, unknown ids: 404 problem (authentication + 1 query, no includes)", api, unknownScript),
            ("`GET /health`, plain wrk (as measured above)", health, null),
        };
        var table = new MarkdownTable("wrk -t2 -c10, one run each, in this order", "requests/s", "p50 ms", "p99 ms", "answers not 200",
            "cores busy: machine (portal + wrk + others)", "portal CPU per request, µs");
        Log.Progress($"profile: {variants.Length} wrk variants of {wrkSeconds} s");
        foreach (var (name, url, variantScript) in variants)
        {
            var m = await MeasureAsync(url, wrkSeconds, variantScript, cancellationToken);
            table.Row(name, Stats.F(m.Wrk.RequestsPerSecond), Stats.F(m.Wrk.P50Ms, 2), Stats.F(m.Wrk.P99Ms, 2), m.Non200.ToString("N0", CultureInfo.InvariantCulture),
                Cores(m), Stats.F(m.OwnCores / m.Wrk.RequestsPerSecond * 1e6));
        }

        const int calls = 5000;
        Log.Progress($"profile: {calls} sequential calls per piece, in-process");
        var pieces = await ApiProfile.RunAsync(services, token, ids, calls, cancellationToken);
        return $"""
            ### Profile (load average {Machine.LoadAverage()} at its end)

            {table}
            One request's pieces, timed in the portal's process ({calls:N0} sequential calls each, after 500 not timed):

            {pieces}
            """;
    }

    private static async Task<string> LoginAsync(HttpClient http, Uri address, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsJsonAsync(new Uri(address, "/api/v1/auth/login"), new { email = SeededWorkspaces.Member, password = SeededWorkspaces.Password }, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"login as {SeededWorkspaces.Member} answered {(int)response.StatusCode}: {body}");
        }

        using var json = JsonDocument.Parse(body);
        return json.RootElement.GetProperty("access_token").GetString()
            ?? throw new InvalidOperationException("The login answer has no access_token.");
    }

    /// <summary>One GET before the load: 200, the workspace ready with its 6 steps; returns the body's size in bytes.</summary>
    private static async Task<int> CheckOneAsync(HttpClient http, Uri address, string token, Guid id, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(address, $"/api/v1/workspaces/{id}"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request, cancellationToken);
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"GET /api/v1/workspaces/{id} answered {(int)response.StatusCode}: {Encoding.UTF8.GetString(body)}");
        }

        using var json = JsonDocument.Parse(body);
        var status = json.RootElement.GetProperty("status").GetString();
        var steps = json.RootElement.GetProperty("steps").GetArrayLength();
        if (status != "ready" || steps != TemplateCatalog.BuiltInPlan("vm").Count)
        {
            throw new InvalidOperationException($"Expected a ready workspace with {TemplateCatalog.BuiltInPlan("vm").Count} steps: {Encoding.UTF8.GetString(body)}");
        }

        return body.Length;
    }

    /// <summary>
    /// The wrk script: every request a random one of the N ids (seeded per wrk thread), with the bearer token;
    /// counts responses and non-200s in each thread and prints the totals when wrk is done.
    /// </summary>
    private static string PathOf(Guid id) => $"/api/v1/workspaces/{id}";

    private static string WriteScript(string path, string token, IReadOnlyList<string> paths)
    {
        if (!SafeToken().IsMatch(token))
        {
            throw new InvalidOperationException("The access token has characters this script does not quote.");
        }

        var lua = new StringBuilder();
        lua.AppendLine($"-- Written by Provisioning.Benchmarks api: GET one of {paths.Count} paths at random, as {SeededWorkspaces.Member}.");
        lua.AppendLine("local paths = {");
        foreach (var p in paths)
        {
            lua.Append("  \"").Append(p).AppendLine("\",");
        }

        lua.AppendLine("}");
        lua.Append("local token = \"").Append(token).AppendLine("\"");
        lua.AppendLine("""
            local threads = {}
            local thread_count = 0

            function setup(thread)
              thread_count = thread_count + 1
              thread:set("thread_number", thread_count)
              table.insert(threads, thread)
            end

            function init(args)
              math.randomseed(os.time() * 100 + thread_number)
              wrk.headers["Authorization"] = "Bearer " .. token
              responses = 0
              non200 = 0
            end

            function request()
              return wrk.format("GET", paths[math.random(#paths)])
            end

            function response(status, headers, body)
              responses = responses + 1
              if status ~= 200 then non200 = non200 + 1 end
            end

            function done(summary, latency, requests)
              local total, bad = 0, 0
              for _, thread in ipairs(threads) do
                total = total + thread:get("responses")
                bad = bad + thread:get("non200")
              end
              io.write(string.format("lua responses: %d, non-200: %d\n", total, bad))
            end
            """);
        File.WriteAllText(path, lua.ToString());
        return path;
    }

    /// <summary>One wrk run, with the CPU use of the machine and of this process (the portal) and the portal's GC pauses during it.</summary>
    private static async Task<Measured> MeasureAsync(Uri url, int seconds, string? script, CancellationToken cancellationToken)
    {
        var pauseBefore = GC.GetTotalPauseDuration();
        var gen2Before = GC.CollectionCount(2);
        var cpuBefore = CpuTimes.Read();
        using var self = Process.GetCurrentProcess();
        var ownBefore = self.TotalProcessorTime;
        var childrenBefore = CpuTimes.EndedChildrenSeconds();
        var clock = Stopwatch.StartNew();
        var wrk = await Wrk.RunAsync(url, seconds, cancellationToken, script);
        var elapsed = clock.Elapsed.TotalSeconds;
        self.Refresh();
        var own = (self.TotalProcessorTime - ownBefore).TotalSeconds / elapsed;
        var machine = CpuTimes.Read() - cpuBefore;
        var wrkCores = (CpuTimes.EndedChildrenSeconds() - childrenBefore) / elapsed;

        // With the script, its own count of non-200 answers; without, wrk's "Non-2xx or 3xx responses". Socket errors count too.
        var non200 = wrk.Errors;
        if (script is not null)
        {
            var counted = LuaCounts().Match(wrk.Raw);
            non200 = counted.Success ? long.Parse(counted.Groups[2].Value, CultureInfo.InvariantCulture) + wrk.SocketErrors : -1;
        }

        return new Measured(wrk, non200, machine.BusyCores, own, wrkCores, machine.StealPercent,
            (GC.GetTotalPauseDuration() - pauseBefore).TotalMilliseconds, GC.CollectionCount(2) - gen2Before);
    }

    private static void Print(List<ApiRun> runs, int count, int wrkSeconds, double seedSeconds, string rows, int bodyBytes)
    {
        double M(Func<ApiRun, double> pick) => Stats.Median(runs.Select(pick));
        string Both(Func<Measured, double> pick, int decimals = 0) =>
            $"{Stats.F(M(r => pick(r.Api)), decimals)} | {Stats.F(M(r => pick(r.Health)), decimals)}";

        var ratio = M(r => r.Ratio);
        var apiP99 = M(r => r.Api.Wrk.P99Ms);
        var valid = runs.All(r => r.Valid);
        Console.WriteLine($"### GET /api/v1/workspaces/{{id}} with {count:N0} workspaces vs GET /health, `wrk -t2 -c10 -d{wrkSeconds}s --latency`, medians of {runs.Count} runs");
        Console.WriteLine();
        var table = new MarkdownTable("measure", "`GET /api/v1/workspaces/{id}`", "`GET /health`", "target", "met");
        table.Row("requests/s", Both(m => m.Wrk.RequestsPerSecond), "", "");
        table.Row("p50 ms", Both(m => m.Wrk.P50Ms, 2), "", "");
        table.Row("p75 ms", Both(m => m.Wrk.P75Ms, 2), "", "");
        table.Row("p90 ms", Both(m => m.Wrk.P90Ms, 2), "", "");
        table.Row("p99 ms", Both(m => m.Wrk.P99Ms, 2), $"api < {P99TargetMs:0} ms", Met(apiP99 < P99TargetMs));
        table.Row("max ms", Both(m => m.Wrk.MaxMs, 2), "", "");
        table.Row("api ÷ health requests/s (median of per-run ratios)", Stats.Pct(ratio), "", $"≥ {ThroughputTarget * 100:0} %", Met(ratio >= ThroughputTarget));
        table.Row("non-200 answers (api: counted by the Lua script; health: wrk's non-2xx) + socket errors, all runs",
            $"{runs.Sum(r => r.Api.Non200):N0} | {runs.Sum(r => r.Health.Non200):N0}", "0", Met(valid));
        table.Row($"machine CPU busy during the run, cores of {Environment.ProcessorCount} (portal + wrk + neighbours)", Both(m => m.MachineCores, 2), "", "");
        table.Row("… of which the portal process (this process), cores", Both(m => m.OwnCores, 2), "", "");
        table.Row("… of which wrk, cores", Both(m => m.WrkCores, 2), "", "");
        table.Row("… of which other processes on the machine, cores", Both(m => m.OtherCores, 2), "", "");
        table.Row("portal CPU per request, µs (portal cores ÷ requests/s)", Both(m => m.OwnCores / m.Wrk.RequestsPerSecond * 1e6), "", "");
        table.Row("portal GC pause time during the run, ms", Both(m => m.GcPauseMs), "", "");
        Console.WriteLine(table);

        Console.WriteLine("Per run:");
        Console.WriteLine();
        var perRun = new MarkdownTable("run", "load average at start → end", "api requests/s", "api p50 / p99 ms", "health requests/s", "health p50 / p99 ms",
            "api ÷ health", "api requests (non-200)", "health requests (non-2xx)",
            "cores busy api / health: machine (portal + wrk + others)", "steal % api / health", "GC pause ms api / health (gen2)");
        for (var i = 0; i < runs.Count; i++)
        {
            var r = runs[i];
            perRun.Row((i + 1).ToString(CultureInfo.InvariantCulture), $"{r.LoadAtStart} → {r.LoadAtEnd}",
                Stats.F(r.Api.Wrk.RequestsPerSecond), $"{Stats.F(r.Api.Wrk.P50Ms, 2)} / {Stats.F(r.Api.Wrk.P99Ms, 2)}",
                Stats.F(r.Health.Wrk.RequestsPerSecond), $"{Stats.F(r.Health.Wrk.P50Ms, 2)} / {Stats.F(r.Health.Wrk.P99Ms, 2)}",
                Stats.Pct(r.Ratio),
                $"{r.Api.Wrk.Requests:N0} ({(r.Api.Non200 < 0 ? "not counted" : r.Api.Non200.ToString("N0", CultureInfo.InvariantCulture))})",
                $"{r.Health.Wrk.Requests:N0} ({r.Health.Non200:N0})",
                $"{Cores(r.Api)} / {Cores(r.Health)}",
                $"{Stats.F(r.Api.StealPercent, 1)} / {Stats.F(r.Health.StealPercent, 1)}",
                $"{Stats.F(r.Api.GcPauseMs)} ({r.Api.Gen2Collections}) / {Stats.F(r.Health.GcPauseMs)} ({r.Health.Gen2Collections})");
        }

        Console.WriteLine(perRun);
        Console.WriteLine($"Seeding: {rows}, inserted in {seedSeconds:N1} s. One answer of `GET /api/v1/workspaces/{{id}}` is {bodyBytes:N0} bytes of JSON.");
        if (!valid)
        {
            Console.WriteLine();
            Console.WriteLine("**Some runs are invalid: they had non-200 answers or socket errors.**");
        }
    }

    private static string Cores(Measured m) =>
        $"{Stats.F(m.MachineCores, 2)} ({Stats.F(m.OwnCores, 2)} + {Stats.F(m.WrkCores, 2)} + {Stats.F(m.OtherCores, 2)})";

    private static string Met(bool met) => met ? "met" : "**missed**";

    [GeneratedRegex("^[A-Za-z0-9_.~+/=-]+$")]
    private static partial Regex SafeToken();

    [GeneratedRegex(@"lua responses: (\d+), non-200: (\d+)")]
    private static partial Regex LuaCounts();

    /// <summary>One wrk run and what the machine and the portal did meanwhile.</summary>
    private sealed record Measured(
        WrkResult Wrk, long Non200, double MachineCores, double OwnCores, double WrkCores, double StealPercent, double GcPauseMs, int Gen2Collections)
    {
        /// <summary>Everything else on the shared machine: busy cores that were neither the portal nor wrk.</summary>
        public double OtherCores => Math.Max(0, MachineCores - OwnCores - WrkCores);
    }

    private sealed record ApiRun(Measured Api, Measured Health, string LoadAtStart, string LoadAtEnd)
    {
        public double Ratio => Api.Wrk.RequestsPerSecond / Health.Wrk.RequestsPerSecond;

        public bool Valid => Api.Non200 == 0 && Health.Non200 == 0;
    }
}
