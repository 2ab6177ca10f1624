using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Provisioning.Core;
using Provisioning.Core.Engine;
using Provisioning.Core.Persistence;
using Provisioning.Core.Releases;
using Provisioning.Core.Scheduling;
using Provisioning.Core.Workspaces;

namespace Provisioning.Benchmarks;

/// <summary>
/// Engine throughput: N vm workspaces created up front (timed separately), then
/// <see cref="ProvisioningEngine.RunAsync"/> for all of them with bounded parallelism, measured with a
/// Stopwatch, side by side with the raw SQLite commit rate. No Quartz: the attempt queue only collects ids.
/// </summary>
internal static class EngineBenchmark
{
    private const string ReleaseId = "ubuntu-vm@24.04";
    private const string ArtifactFileName = "ubuntu-vm-24.04.json";

    public static async Task<int> RunAsync(BenchmarkOptions options, CancellationToken cancellationToken)
    {
        var runs = options.Int("runs", 3);
        var workspaces = options.Int("workspaces", 2000);
        var levels = options.Ints("parallelism", [1, 4, 16]);
        var rawDuration = TimeSpan.FromSeconds(options.Double("raw-seconds", 3));

        var machineAtStart = Machine.Describe();
        // Tiered JIT: let the hot paths reach tier 1 before anything is timed.
        Log.Progress("warm-up (JIT, EF Core model): raw SQLite 1 s, engine 500 workspaces at parallelism 1 and 4");
        await RawSqliteBenchmark.MeasureCommitsPerSecondAsync(TimeSpan.FromSeconds(1), cancellationToken);
        await RunOnceAsync(500, 1, profile: false, cancellationToken);
        await RunOnceAsync(500, 4, profile: false, cancellationToken);

        var results = new List<EngineRun>();
        var raws = new List<double>();
        for (var run = 1; run <= runs && !options.Flag("profile-only"); run++)
        {
            var raw = await RawSqliteBenchmark.MeasureCommitsPerSecondAsync(rawDuration, cancellationToken);
            raws.Add(raw);
            Log.Progress($"run {run}: raw SQLite {raw:N0} commits/s");
            foreach (var parallelism in levels)
            {
                var result = await RunOnceAsync(workspaces, parallelism, profile: false, cancellationToken) with { Run = run, RawCommitsPerSecond = raw };
                results.Add(result);
                Log.Progress($"run {run}: parallelism {parallelism}: {result.WorkspacesPerSecond:N0} workspaces/s, " +
                    $"{result.TransitionsPerSecond:N0} transitions/s ({Stats.Pct(result.Ratio)} of raw), CPU {result.CoresBusy:N2} cores");
            }
        }

        if (results.Count > 0)
        {
            Console.WriteLine($"Machine: {machineAtStart} at the start; load average {Machine.LoadAverage()} at the end.");
            Console.WriteLine();
            PrintResults(workspaces, runs, levels, results, raws);
        }

        if (options.Flag("profile") || options.Flag("profile-only"))
        {
            Console.WriteLine();
            Console.WriteLine($"### Where the time goes (one extra run per parallelism with a command-counting interceptor; not part of the figures above)");
            Console.WriteLine();
            var table = new MarkdownTable("parallelism", "workspaces/s", "SaveChanges / workspace", "… of which written by the progress path",
                "DB commands / workspace (EF Core's)", "SELECT", "INSERT", "UPDATE", "statements of the progress path / workspace",
                "BEGIN…COMMIT / workspace (EF Core's)", "writes outside a transaction / workspace (EF Core's)", "connection opens / workspace",
                "time inside DB commands", "write gate held", "CPU (cores busy)");
            foreach (var parallelism in levels)
            {
                var r = await RunOnceAsync(workspaces, parallelism, profile: true, cancellationToken);
                var p = r.Profile!;
                double Per(long v) => (double)v / workspaces;
                table.Row(parallelism.ToString(System.Globalization.CultureInfo.InvariantCulture), Stats.F(r.WorkspacesPerSecond),
                    Stats.F(Per(p.SaveChanges), 1), Stats.F(Per(r.ProgressSaves), 1),
                    Stats.F(Per(p.Commands), 1), Stats.F(Per(p.Selects), 1), Stats.F(Per(p.Inserts), 1), Stats.F(Per(p.Updates), 1), Stats.F(Per(r.ProgressStatements), 1),
                    Stats.F(Per(p.Commits), 1), Stats.F(Per(p.AutocommitWrites), 1), Stats.F(Per(p.ConnectionOpens), 1),
                    $"{Stats.F(p.CommandTime.TotalSeconds / r.Elapsed.TotalSeconds * 100, 0)} % of wall time ({Stats.F(p.CommandTime.TotalMilliseconds / workspaces, 2)} ms / workspace)",
                    $"{Stats.Pct(p.GateHeldFraction)} of wall time", Stats.F(r.CoresBusy, 2));
                Log.Progress($"profile parallelism {parallelism}: top statements:{Environment.NewLine}{p.TopStatements(12)}");
            }

            Console.WriteLine(table);
            var (plain, pragmas) = await RawSqliteBenchmark.MeasureOpenCostAsync(20_000, cancellationToken);
            Console.WriteLine($"A pooled connection open + close costs {plain:N1} µs; running the portal's PRAGMAs on every open would make it {pragmas:N1} µs " +
                $"(Microsoft.Data.Sqlite directly, same disk); the portal runs them once per native connection. The progress path's statements and " +
                $"transactions are not in EF Core's counts above; its connection opens are not counted either.");
            Console.WriteLine();
        }

        return results.All(r => r.AllReady) ? 0 : 1;
    }

    private static void PrintResults(int workspaces, int runs, int[] levels, List<EngineRun> results, List<double> raws)
    {
        var rawMedian = Stats.Median(raws);
        Console.WriteLine($"### Engine throughput: {workspaces:N0} `ubuntu-vm@24.04` workspaces (6 steps each), medians of {runs} runs");
        Console.WriteLine();
        var table = new MarkdownTable("parallelism", "workspaces/s", "transitions/s", "raw SQLite commits/s", "transitions ÷ raw commits",
            "target ≥ 25 %", "CPU (cores busy)", "creation (not timed above), workspaces/s", "all Ready");
        foreach (var parallelism in levels)
        {
            var set = results.Where(r => r.Parallelism == parallelism).ToList();
            var ratio = Stats.Median(set.Select(r => r.Ratio));
            table.Row(
                parallelism.ToString(System.Globalization.CultureInfo.InvariantCulture),
                Stats.F(Stats.Median(set.Select(r => r.WorkspacesPerSecond))),
                Stats.F(Stats.Median(set.Select(r => r.TransitionsPerSecond))),
                Stats.F(Stats.Median(set.Select(r => r.RawCommitsPerSecond))),
                Stats.Pct(ratio),
                ratio >= 0.25 ? "met" : "**missed**",
                Stats.F(Stats.Median(set.Select(r => r.CoresBusy)), 2),
                Stats.F(Stats.Median(set.Select(r => r.CreationPerSecond))),
                set.All(r => r.AllReady) ? $"yes ({set.Count}×{workspaces:N0})" : "**no**");
        }

        Console.WriteLine(table);
        var first = results[0];
        Console.WriteLine($"Transitions = `step.*` + `provisioning.*` events written during the timed runs (delta of a COUNT over `workspace_events`): " +
            $"{first.TransitionEvents / (double)first.Workspaces:N0} per workspace ({first.EventBreakdown}). " +
            $"All events written during the run: {first.AllEvents / (double)first.Workspaces:N0} per workspace. " +
            $"Raw SQLite: median {rawMedian:N0} commits/s (runs: {string.Join(" · ", raws.Select(r => Stats.F(r)))}).");
        Console.WriteLine();
        Console.WriteLine("Per run:");
        Console.WriteLine();
        var perRun = new MarkdownTable("run", "parallelism", "seconds", "workspaces/s", "transitions/s", "raw commits/s", "ratio");
        foreach (var r in results)
        {
            perRun.Row(r.Run.ToString(System.Globalization.CultureInfo.InvariantCulture), r.Parallelism.ToString(System.Globalization.CultureInfo.InvariantCulture),
                Stats.F(r.Elapsed.TotalSeconds, 2), Stats.F(r.WorkspacesPerSecond), Stats.F(r.TransitionsPerSecond), Stats.F(r.RawCommitsPerSecond), Stats.Pct(r.Ratio));
        }

        Console.WriteLine(perRun);
    }

    private static async Task<EngineRun> RunOnceAsync(int count, int parallelism, bool profile, CancellationToken cancellationToken)
    {
        var tempDir = Directory.CreateTempSubdirectory("prov-bench-engine-");
        var queue = new CollectingAttemptQueue();
        var profiler = profile ? new CommandProfiler() : null;
        try
        {
            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
            {
                DisableDefaults = true,
                ContentRootPath = tempDir.FullName,
                EnvironmentName = "Benchmark",
            });
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Portal:DataDirectory"] = tempDir.FullName,
                ["Simulator:ReadinessDelay"] = "00:00:00",
                // The brief asked for 1,000,000 CPU / 10,000,000 GB; SimulatorOptions validates at most
                // 100,000 CPU and 1,000,000 GB. Both are far above what 2,000 workspaces of 1 CPU / 1 GB use.
                ["Simulator:Capacity:Cpu"] = "100000",
                ["Simulator:Capacity:MemoryGb"] = "1000000",
            });
            builder.AddProvisioning();
            builder.Services.AddSingleton<IStartupSeeder, BenchmarkSeeder>();
            builder.Services.Replace(ServiceDescriptor.Singleton<IAttemptQueue>(queue));
            if (profiler is not null)
            {
                builder.Services.ConfigureDbContext<SqliteProvisioningDbContext>(o => o.AddInterceptors(profiler.Commands, profiler.Transactions, profiler.Connections, profiler.Saves));
            }

            using var host = builder.Build();
            var services = host.Services;
            services.ValidateProvisioningConfiguration();

            // Not host.StartAsync(): that would start Quartz. Only the start-up step: migrate, seed, simulator.
            var startup = services.GetServices<IHostedService>().OfType<ProvisioningStartup>().Single();
            await startup.StartAsync(cancellationToken);

            var requests = services.GetRequiredService<ProvisioningRequests>();
            var engine = services.GetRequiredService<ProvisioningEngine>();
            var dbFactory = services.GetRequiredService<IDbContextFactory<ProvisioningDbContext>>();

            var creation = Stopwatch.StartNew();
            var ids = new List<Guid>(count);
            for (var i = 0; i < count; i++)
            {
                var workspace = (await requests.CreateAsync(new CreateWorkspace("acme", "bench", $"ws-{i}", ReleaseId, new WorkspaceSize(1, 1)), cancellationToken)).Workspace
                    ?? throw new InvalidOperationException($"Release {ReleaseId} was not seeded.");
                ids.Add(workspace.Id);
            }

            creation.Stop();
            if (queue.Count != count)
            {
                throw new InvalidOperationException($"Expected {count} enqueued attempts, saw {queue.Count}.");
            }

            var (transitionsBefore, allBefore) = await CountEventsAsync(dbFactory, cancellationToken);
            var progress = services.GetRequiredService<SqliteProgressWrites>();
            var (progressSavesBefore, progressStatementsBefore) = (progress.Saves, progress.Statements);
            profiler?.Reset();
            var gate = profiler is null ? null : new WriteGateSampler();
            var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken },
                async (id, token) => await engine.RunAsync(id, token));
            clock.Stop();
            var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
            var (progressSaves, progressStatements) = (progress.Saves - progressSavesBefore, progress.Statements - progressStatementsBefore);
            CommandProfile? profileResult = null;
            if (gate is not null)
            {
                await gate.DisposeAsync();
                profileResult = profiler!.Snapshot(gate.HeldFraction);
            }

            var (transitionsAfter, allAfter) = await CountEventsAsync(dbFactory, cancellationToken);
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var ready = await db.Workspaces.CountAsync(w => w.Status == WorkspaceStatus.Ready, cancellationToken);
            var breakdown = await db.Events
                .Where(e => e.Type.StartsWith("step.") || e.Type.StartsWith("provisioning."))
                .GroupBy(e => e.Type)
                .Select(g => new { Type = g.Key, Count = g.Count() })
                .ToListAsync(cancellationToken);
            var perWorkspace = string.Join(", ", breakdown
                .Where(b => b.Type != WorkspaceEventTypes.AttemptStarted)
                .OrderBy(b => b.Type, StringComparer.Ordinal)
                .Select(b => $"{b.Count / (double)count:0.#} `{b.Type}`"));
            if (ready != count)
            {
                Log.Progress($"WARNING: only {ready} of {count} workspaces are Ready after the run");
            }

            var transitions = transitionsAfter - transitionsBefore;
            return new EngineRun(
                Parallelism: parallelism,
                Workspaces: count,
                Elapsed: clock.Elapsed,
                CreationPerSecond: count / creation.Elapsed.TotalSeconds,
                TransitionEvents: transitions,
                AllEvents: allAfter - allBefore,
                EventBreakdown: perWorkspace,
                AllReady: ready == count,
                CoresBusy: cpu.TotalSeconds / clock.Elapsed.TotalSeconds,
                Profile: profileResult)
            {
                ProgressSaves = progressSaves,
                ProgressStatements = progressStatements,
            };
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            RawSqliteBenchmark.TryDelete(tempDir);
        }
    }

    private static async Task<(long Transitions, long All)> CountEventsAsync(IDbContextFactory<ProvisioningDbContext> dbFactory, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var transitions = await db.Events.LongCountAsync(e => e.Type.StartsWith("step.") || e.Type.StartsWith("provisioning."), cancellationToken);
        var all = await db.Events.LongCountAsync(cancellationToken);
        return (transitions, all);
    }

    private sealed record EngineRun(
        int Parallelism,
        int Workspaces,
        TimeSpan Elapsed,
        double CreationPerSecond,
        long TransitionEvents,
        long AllEvents,
        string EventBreakdown,
        bool AllReady,
        double CoresBusy,
        CommandProfile? Profile)
    {
        public int Run { get; init; }

        /// <summary>Saves and statements written by <see cref="SqliteProgressWrites"/>, which EF Core's interceptors do not see.</summary>
        public long ProgressSaves { get; init; }

        public long ProgressStatements { get; init; }

        public double RawCommitsPerSecond { get; init; } = double.NaN;

        public double WorkspacesPerSecond => Workspaces / Elapsed.TotalSeconds;

        public double TransitionsPerSecond => TransitionEvents / Elapsed.TotalSeconds;

        public double Ratio => TransitionsPerSecond / RawCommitsPerSecond;
    }

    /// <summary>Tenant acme and the vm release, its artifact copied into the release store and hashed.</summary>
    private sealed class BenchmarkSeeder(DataDirectory dataDirectory) : IStartupSeeder
    {
        public async Task SeedAsync(ProvisioningDbContext db, CancellationToken cancellationToken)
        {
            db.Tenants.Add(new Tenant("acme", "Acme Corporation"));
            Directory.CreateDirectory(dataDirectory.Releases);
            var target = Path.Combine(dataDirectory.Releases, ArtifactFileName);
            var shipped = Path.Combine(AppContext.BaseDirectory, "DemoData", "releases", ArtifactFileName);
            if (File.Exists(shipped))
            {
                File.Copy(shipped, target, overwrite: true);
            }
            else
            {
                await File.WriteAllTextAsync(target, """{ "schema": [], "services": [], "becomes_ready": true }""", cancellationToken);
            }

            var sha = await FileReleaseStore.HashFileAsync(target, cancellationToken);
            db.Releases.Add(new Release("ubuntu-vm", "24.04", "vm", ArtifactFileName, sha, 1, 1));
            await db.SaveChangesAsync(cancellationToken);
        }
    }
}
