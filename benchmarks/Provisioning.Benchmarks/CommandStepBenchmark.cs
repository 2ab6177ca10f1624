using System.Diagnostics;
using System.Globalization;
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
/// Issue 15's number: what the engine adds to a command step beyond the command's own run time. A template of N steps
/// that each run <c>true</c> (by <c>/bin/sh -c</c>, as every command step runs); W workspaces of it provisioned one
/// after another by the engine on SQLite. Per step = a workspace's run ÷ N; the command's own time = <c>/bin/sh -c
/// true</c> started the same way (clean environment, redirected output) straight from this process, measured alike.
/// </summary>
internal static class CommandStepBenchmark
{
    private const double TargetMs = 20;

    public static async Task<int> RunAsync(BenchmarkOptions options, CancellationToken cancellationToken)
    {
        var workspaces = options.Int("workspaces", 40);
        var steps = options.Int("steps", 10);
        var runs = options.Int("runs", 3);
        var machine = Machine.Describe();
        var results = new List<(double Baseline50, double Step50, double Step95)>();
        for (var run = 1; run <= runs; run++)
        {
            var baseline = await BaselineAsync(workspaces * steps / 2, cancellationToken);
            var perStep = await EngineAsync(workspaces, steps, cancellationToken);
            var b = baseline.Order().ToArray();
            var s = perStep.Order().ToArray();
            results.Add((Stats.Percentile(b, 50), Stats.Percentile(s, 50), Stats.Percentile(s, 95)));
            Log.Progress($"run {run}/{runs}: /bin/sh -c true p50 {Stats.F(results[^1].Baseline50, 1)} ms; a command step in the engine p50 " +
                $"{Stats.F(results[^1].Step50, 1)} ms, p95 {Stats.F(results[^1].Step95, 1)} ms");
        }

        double M(Func<(double Baseline50, double Step50, double Step95), double> pick) => Stats.Median(results.Select(pick));
        string PerRun(Func<(double Baseline50, double Step50, double Step95), double> pick) => string.Join(" · ", results.Select(r => Stats.F(pick(r), 1)));
        var overhead = M(r => r.Step50 - r.Baseline50);
        Console.WriteLine($"Machine: {machine}; load average {Machine.LoadAverage()} at the end.");
        Console.WriteLine();
        Console.WriteLine($"### A command step's cost in the engine: {workspaces} workspaces of {steps} steps that run `true`, medians of {runs} runs");
        Console.WriteLine();
        var table = new MarkdownTable("measure, ms", "median of runs", "per run", "target", "met");
        table.Row("`/bin/sh -c true` from this process, p50 (the command's own run time)", Stats.F(M(r => r.Baseline50), 1), PerRun(r => r.Baseline50), "", "");
        table.Row("a command step in the engine (its run ÷ steps), p50", Stats.F(M(r => r.Step50), 1), PerRun(r => r.Step50), "", "");
        table.Row("… p95", Stats.F(M(r => r.Step95), 1), PerRun(r => r.Step95), "", "");
        table.Row("**the engine's overhead per command step, p50** (step − command)", Stats.F(overhead, 1), PerRun(r => r.Step50 - r.Baseline50),
            $"< {TargetMs:0} ms", overhead < TargetMs ? "met" : "**missed**");
        Console.WriteLine(table);
        return 0;
    }

    /// <summary>Milliseconds of each <c>/bin/sh -c true</c>, started as the command runner starts a command.</summary>
    private static async Task<List<double>> BaselineAsync(int count, CancellationToken cancellationToken)
    {
        var times = new List<double>(count);
        for (var i = 0; i < count; i++)
        {
            var clock = Stopwatch.StartNew();
            var start = new ProcessStartInfo("/bin/sh")
            {
                ArgumentList = { "-c", "true" },
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            start.Environment.Clear();
            start.Environment["PATH"] = "/usr/bin:/bin";
            using var process = Process.Start(start)!;
            process.StandardInput.Close();
            var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken);
            await Task.WhenAll(stdout, stderr);
            times.Add(clock.Elapsed.TotalMilliseconds);
        }

        return times;
    }

    /// <summary>Milliseconds per step of each workspace's run, in a host built as the portal builds it (Quartz not started).</summary>
    private static async Task<List<double>> EngineAsync(int workspaces, int steps, CancellationToken cancellationToken)
    {
        var tempDir = Directory.CreateTempSubdirectory("prov-bench-command-");
        try
        {
            var templates = Directory.CreateDirectory(Path.Combine(tempDir.FullName, "templates"));
            await File.WriteAllTextAsync(Path.Combine(templates.FullName, "bench.yaml"),
                "name: bench\nsteps:\n" + string.Concat(Enumerable.Range(1, steps).Select(i => $"  - name: step_{i}\n    run: \"true\"\n")), cancellationToken);
            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
            {
                DisableDefaults = true,
                ContentRootPath = tempDir.FullName,
                EnvironmentName = "Benchmark",
            });
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Portal:DataDirectory"] = tempDir.FullName,
                ["Provisioning:Templates:Directory"] = templates.FullName,
            });
            builder.AddProvisioning();
            builder.Services.AddSingleton<IStartupSeeder, Seeder>();
            builder.Services.Replace(ServiceDescriptor.Singleton<IAttemptQueue>(new CollectingAttemptQueue()));
            using var host = builder.Build();
            host.Services.ValidateProvisioningConfiguration();
            await host.Services.GetServices<IHostedService>().OfType<ProvisioningStartup>().Single().StartAsync(cancellationToken);
            var requests = host.Services.GetRequiredService<ProvisioningRequests>();
            var engine = host.Services.GetRequiredService<ProvisioningEngine>();

            var perStep = new List<double>(workspaces);
            // The first workspace warms up the JIT and the pools; it is not counted.
            for (var i = 0; i <= workspaces; i++)
            {
                var workspace = (await requests.CreateAsync(new CreateWorkspace("acme", "bench", $"bench-{i:D4}", "bench@1.0.0", new WorkspaceSize(1, 1)), cancellationToken)).Workspace!;
                var clock = Stopwatch.StartNew();
                await engine.RunAsync(workspace.Id, cancellationToken);
                if (i > 0)
                {
                    perStep.Add(clock.Elapsed.TotalMilliseconds / steps);
                }
            }

            return perStep;
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            RawSqliteBenchmark.TryDelete(tempDir);
        }
    }

    private sealed class Seeder : IStartupSeeder
    {
        public async Task SeedAsync(ProvisioningDbContext db, CancellationToken cancellationToken)
        {
            db.Tenants.Add(new Tenant("acme", "Acme Corporation"));
            db.Releases.Add(new Release("bench", "1.0.0", "bench", "bench-1.0.0.artifact", new string('0', 64), 1, 1));
            await db.SaveChangesAsync(cancellationToken);
        }
    }
}
