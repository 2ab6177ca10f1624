using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Portal.DemoData;
using Provisioning.Core;
using Provisioning.Core.Engine;
using Provisioning.Core.Persistence;
using Provisioning.Core.Scheduling;
using Provisioning.Core.Workspaces;

namespace Provisioning.Benchmarks;

/// <summary>
/// The engine on PostgreSQL (issue 13): N vm workspaces driven from requested to ready by one node, then by two nodes
/// on one database (two hosts with their own services, connection pools and engines, each running half), side by side
/// with the raw bound of the same server at the same concurrency: one UPDATE of a step row + one INSERT of an event
/// row per transaction, with Npgsql and prepared statements. A fresh database per measurement; no Quartz.
/// </summary>
internal static class EnginePostgresBenchmark
{
    private const string ReleaseId = "ubuntu-vm@24.04";

    public static async Task<int> RunAsync(BenchmarkOptions options, CancellationToken cancellationToken)
    {
        var server = options.String("postgres") ?? Environment.GetEnvironmentVariable("PORTAL_BENCH_POSTGRES");
        if (string.IsNullOrEmpty(server))
        {
            Console.Error.WriteLine("engine-postgres needs a server: --postgres \"Host=…;Username=…\" or PORTAL_BENCH_POSTGRES (benchmarks/with-postgres.sh starts one).");
            return 64;
        }

        var runs = options.Int("runs", 3);
        var workspaces = options.Int("workspaces", 500);
        var levels = options.Ints("parallelism", [1, 4, 16]);
        var rawDuration = TimeSpan.FromSeconds(options.Double("raw-seconds", 3));
        var machineAtStart = Machine.Describe();
        var version = await ServerVersionAsync(server, cancellationToken);

        Log.Progress("warm-up (JIT, EF Core model): raw 1 s, engine 100 workspaces at parallelism 4, one node and two");
        await RawPostgresBenchmark.MeasureCommitsPerSecondAsync(server, 4, TimeSpan.FromSeconds(1), cancellationToken);
        await RunOnceAsync(server, 100, 4, nodes: 1, cancellationToken);
        await RunOnceAsync(server, 100, 4, nodes: 2, cancellationToken);

        var results = new List<PostgresEngineRun>();
        for (var run = 1; run <= runs; run++)
        {
            foreach (var parallelism in levels)
            {
                var raw = await RawPostgresBenchmark.MeasureCommitsPerSecondAsync(server, parallelism, rawDuration, cancellationToken);
                var one = await RunOnceAsync(server, workspaces, parallelism, nodes: 1, cancellationToken);
                var two = await RunOnceAsync(server, workspaces, parallelism, nodes: 2, cancellationToken);
                results.Add(new PostgresEngineRun(run, parallelism, raw, one, two));
                Log.Progress($"run {run}: parallelism {parallelism}: raw {raw:N0} commits/s; one node {one.TransitionsPerSecond:N0} transitions/s " +
                    $"({Stats.Pct(one.TransitionsPerSecond / raw)} of raw); two nodes {two.TransitionsPerSecond:N0} ({two.TransitionsPerSecond / one.TransitionsPerSecond:N2}× one)");
            }
        }

        Console.WriteLine($"Machine: {machineAtStart} at the start; load average {Machine.LoadAverage()} at the end. PostgreSQL {version}.");
        Console.WriteLine();
        Print(workspaces, runs, levels, results);
        return results.All(r => r.One.AllReady && r.Two.AllReady) ? 0 : 1;
    }

    private static void Print(int workspaces, int runs, int[] levels, List<PostgresEngineRun> results)
    {
        Console.WriteLine($"### Engine on PostgreSQL: {workspaces:N0} `{ReleaseId}` workspaces (6 steps each), medians of {runs} runs");
        Console.WriteLine();
        var table = new MarkdownTable("parallelism (per node)", "raw PostgreSQL commits/s", "one node: workspaces/s", "transitions/s", "÷ raw",
            "target ≥ 25 %", "CPU (cores busy)", "two nodes: workspaces/s", "transitions/s", "two ÷ one", "all Ready");
        foreach (var parallelism in levels)
        {
            var set = results.Where(r => r.Parallelism == parallelism).ToList();
            var ratio = Stats.Median(set.Select(r => r.One.TransitionsPerSecond / r.Raw));
            table.Row(
                parallelism.ToString(System.Globalization.CultureInfo.InvariantCulture),
                Stats.F(Stats.Median(set.Select(r => r.Raw))),
                Stats.F(Stats.Median(set.Select(r => r.One.WorkspacesPerSecond))),
                Stats.F(Stats.Median(set.Select(r => r.One.TransitionsPerSecond))),
                Stats.Pct(ratio),
                ratio >= 0.25 ? "met" : "**missed**",
                Stats.F(Stats.Median(set.Select(r => r.One.CoresBusy)), 2),
                Stats.F(Stats.Median(set.Select(r => r.Two.WorkspacesPerSecond))),
                Stats.F(Stats.Median(set.Select(r => r.Two.TransitionsPerSecond))),
                $"{Stats.Median(set.Select(r => r.Two.TransitionsPerSecond / r.One.TransitionsPerSecond)):N2}×",
                set.All(r => r.One.AllReady && r.Two.AllReady) ? $"yes ({set.Count}×2×{workspaces:N0})" : "**no**");
        }

        Console.WriteLine(table);
        Console.WriteLine($"Transitions per workspace: {results[0].One.TransitionEvents / (double)workspaces:N0} (`step.*` and `provisioning.*` events written during the timed part).");
        Console.WriteLine();
        Console.WriteLine("Per run:");
        Console.WriteLine();
        var perRun = new MarkdownTable("run", "parallelism", "raw commits/s", "one node transitions/s", "÷ raw", "two nodes transitions/s", "two ÷ one");
        foreach (var r in results)
        {
            perRun.Row(r.Run.ToString(System.Globalization.CultureInfo.InvariantCulture), r.Parallelism.ToString(System.Globalization.CultureInfo.InvariantCulture),
                Stats.F(r.Raw), Stats.F(r.One.TransitionsPerSecond), Stats.Pct(r.One.TransitionsPerSecond / r.Raw),
                Stats.F(r.Two.TransitionsPerSecond), $"{r.Two.TransitionsPerSecond / r.One.TransitionsPerSecond:N2}×");
        }

        Console.WriteLine(perRun);
    }

    /// <summary>One measurement on a fresh database: <paramref name="nodes"/> hosts, each running its share of the workspaces at <paramref name="parallelism"/>.</summary>
    private static async Task<EngineOnPostgres> RunOnceAsync(string server, int count, int parallelism, int nodes, CancellationToken cancellationToken)
    {
        var database = await BenchmarkDatabase.CreateAsync(server, cancellationToken);
        var hosts = new List<(IHost Host, CollectingAttemptQueue Queue, DirectoryInfo Data)>();
        try
        {
            for (var n = 0; n < nodes; n++)
            {
                var data = Directory.CreateTempSubdirectory("prov-bench-engine-pg-");
                var queue = new CollectingAttemptQueue();
                var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
                {
                    DisableDefaults = true,
                    ContentRootPath = data.FullName,
                    EnvironmentName = "Benchmark",
                });
                builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
                {
                    ["Portal:DataDirectory"] = data.FullName,
                    ["Database:Provider"] = "Postgres",
                    ["ConnectionStrings:Portal"] = database.ConnectionString,
                    ["Simulator:ReadinessDelay"] = "00:00:00",
                    ["Simulator:Capacity:Cpu"] = "100000",
                    ["Simulator:Capacity:MemoryGb"] = "1000000",
                });
                builder.AddProvisioning();
                builder.Services.AddSingleton<IStartupSeeder, DemoDataSeeder>();
                builder.Services.Replace(ServiceDescriptor.Singleton<IAttemptQueue>(queue));
                var host = builder.Build();
                hosts.Add((host, queue, data));
                // Not host.StartAsync(): that would start Quartz. Only the start-up step: migrate, seed, simulator.
                await host.Services.GetServices<IHostedService>().OfType<ProvisioningStartup>().Single().StartAsync(cancellationToken);
            }

            var first = hosts[0].Host.Services;
            var requests = first.GetRequiredService<ProvisioningRequests>();
            var ids = new List<Guid>(count);
            for (var i = 0; i < count; i++)
            {
                var workspace = (await requests.CreateAsync(new CreateWorkspace("acme", "bench", $"ws-{i}", ReleaseId, new WorkspaceSize(1, 1)), cancellationToken)).Workspace
                    ?? throw new InvalidOperationException($"Release {ReleaseId} was not seeded.");
                ids.Add(workspace.Id);
            }

            var dbFactory = first.GetRequiredService<IDbContextFactory<ProvisioningDbContext>>();
            var before = await CountTransitionsAsync(dbFactory, cancellationToken);
            var engines = hosts.Select(h => h.Host.Services.GetRequiredService<ProvisioningEngine>()).ToList();
            var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            await Task.WhenAll(engines.Select((engine, n) => Parallel.ForEachAsync(
                ids.Where((_, i) => i % nodes == n),
                new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken },
                async (id, token) => await engine.RunAsync(id, token))));
            clock.Stop();
            var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
            var transitions = await CountTransitionsAsync(dbFactory, cancellationToken) - before;
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var ready = await db.Workspaces.CountAsync(w => ids.Contains(w.Id) && w.Status == WorkspaceStatus.Ready, cancellationToken);
            if (ready != count)
            {
                Log.Progress($"WARNING: only {ready} of {count} workspaces are Ready after the run");
            }

            return new EngineOnPostgres(count, clock.Elapsed, transitions, ready == count, cpu.TotalSeconds / clock.Elapsed.TotalSeconds);
        }
        finally
        {
            foreach (var (host, _, data) in hosts)
            {
                host.Dispose();
                RawSqliteBenchmark.TryDelete(data);
            }

            await database.DisposeAsync();
        }
    }

    private static async Task<long> CountTransitionsAsync(IDbContextFactory<ProvisioningDbContext> dbFactory, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Events.LongCountAsync(e => e.Type.StartsWith("step.") || e.Type.StartsWith("provisioning."), cancellationToken);
    }

    private static async Task<string> ServerVersionAsync(string server, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(server);
        await connection.OpenAsync(cancellationToken);
        return connection.PostgreSqlVersion.ToString();
    }

    private sealed record EngineOnPostgres(int Workspaces, TimeSpan Elapsed, long TransitionEvents, bool AllReady, double CoresBusy)
    {
        public double WorkspacesPerSecond => Workspaces / Elapsed.TotalSeconds;

        public double TransitionsPerSecond => TransitionEvents / Elapsed.TotalSeconds;
    }

    private sealed record PostgresEngineRun(int Run, int Parallelism, double Raw, EngineOnPostgres One, EngineOnPostgres Two);
}

/// <summary>A database of its own on the benchmark's server, dropped when disposed.</summary>
internal sealed class BenchmarkDatabase : IAsyncDisposable
{
    private readonly string _server;
    private readonly string _name;

    private BenchmarkDatabase(string server, string name)
    {
        _server = server;
        _name = name;
        ConnectionString = new NpgsqlConnectionStringBuilder(server) { Database = name }.ToString();
    }

    public string ConnectionString { get; }

    public static async Task<BenchmarkDatabase> CreateAsync(string server, CancellationToken cancellationToken)
    {
        var database = new BenchmarkDatabase(server, $"bench_{Guid.NewGuid():N}");
        await using var connection = new NpgsqlConnection(server);
        await connection.OpenAsync(cancellationToken);
        await using var create = new NpgsqlCommand($"CREATE DATABASE {database._name}", connection);
        await create.ExecuteNonQueryAsync(cancellationToken);
        return database;
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(_server);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_name} WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }
}
