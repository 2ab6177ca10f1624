using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Npgsql;

namespace Provisioning.Benchmarks;

/// <summary>
/// Failover (issue 13): two portal nodes (the built Portal.dll, real processes) on one fresh PostgreSQL database; W vm
/// workspaces are asked of node A and sit in <c>power_on</c> (simulator latency), node B joins, then A is killed with SIGKILL at a
/// random moment of its check-in cycle. For each of A's attempts, the time from the kill to the first event the
/// survivor writes for it (resuming writes <c>step.started</c> again) is "running again". Times are read from the
/// events' <c>OccurredAt</c> (written by node B with the system clock) against the clock read just before the kill.
/// </summary>
internal static class FailoverBenchmark
{
    private const string Password = "Portal-demo-1!";
    private const string VmRelease = "ubuntu-vm@24.04";

    public static async Task<int> RunAsync(BenchmarkOptions options, CancellationToken cancellationToken)
    {
        var server = options.String("postgres") ?? Environment.GetEnvironmentVariable("PORTAL_BENCH_POSTGRES");
        if (string.IsNullOrEmpty(server))
        {
            Console.Error.WriteLine("failover needs a server: --postgres \"Host=…;Username=…\" or PORTAL_BENCH_POSTGRES (benchmarks/with-postgres.sh starts one).");
            return 64;
        }

        var portal = PortalDll();
        if (!File.Exists(portal))
        {
            Console.Error.WriteLine($"{portal} is missing: dotnet build src/Portal -c Release");
            return 1;
        }

        var runs = options.Int("runs", 5);
        var workspaces = options.Int("workspaces", 10);
        var machineAtStart = Machine.Describe();
        var samples = new List<double>();
        var perRun = new MarkdownTable("run", "attempts in flight on A", "kill at (s into A's life)", "first running again, s", "p50, s", "last running again, s", "load average");
        for (var run = 1; run <= runs; run++)
        {
            var result = await RunOnceAsync(portal, server, workspaces, cancellationToken);
            samples.AddRange(result.Seconds);
            var sorted = result.Seconds.Order().ToArray();
            perRun.Row(run.ToString(System.Globalization.CultureInfo.InvariantCulture), sorted.Length.ToString(System.Globalization.CultureInfo.InvariantCulture),
                Stats.F(result.KilledAfter.TotalSeconds, 1), Stats.F(sorted[0], 1), Stats.F(Stats.Percentile(sorted, 50), 1), Stats.F(sorted[^1], 1), Machine.LoadAverage());
            Log.Progress($"run {run}: {sorted.Length} attempts running again on B after {Stats.F(sorted[0], 1)}–{Stats.F(sorted[^1], 1)} s");
        }

        var all = samples.Order().ToArray();
        var (p50, max) = (Stats.Percentile(all, 50), all[^1]);
        Console.WriteLine($"Machine: {machineAtStart} at the start; load average {Machine.LoadAverage()} at the end.");
        Console.WriteLine();
        Console.WriteLine($"### Failover: SIGKILL of node A → each of its attempts running again on node B ({runs} runs × {workspaces} attempts)");
        Console.WriteLine();
        var table = new MarkdownTable("attempts", "p50, s", "p95, s", "max, s", "target p50 ≤ 15 s, max ≤ 30 s");
        table.Row(all.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), Stats.F(p50, 1), Stats.F(Stats.Percentile(all, 95), 1), Stats.F(max, 1),
            p50 <= 15 && max <= 30 ? "met" : "**missed**");
        Console.WriteLine(table);
        Console.WriteLine("Per run:");
        Console.WriteLine();
        Console.WriteLine(perRun);
        return 0;
    }

    private static async Task<(List<double> Seconds, TimeSpan KilledAfter)> RunOnceAsync(string portal, string server, int count, CancellationToken cancellationToken)
    {
        await using var database = await BenchmarkDatabase.CreateAsync(server, cancellationToken);
        await using var a = await PortalNode.StartAsync(portal, database.ConnectionString, "a", cancellationToken);
        using var member = await a.SignInAsync("member@acme.test", cancellationToken);
        using var ops = await a.SignInAsync("ops@platform.test", cancellationToken);
        // Long enough that no attempt leaves power_on before the takeover: every one of them is A's when A dies.
        using (var fault = await ops.PostAsJsonAsync("/api/v1/platform/simulator/faults", new { step = "power_on", on = "execute", latency_ms = 120_000 }, cancellationToken))
        {
            fault.EnsureSuccessStatusCode();
        }

        var ids = new List<Guid>();
        for (var i = 0; i < count; i++)
        {
            using var response = await member.PostAsJsonAsync("/api/v1/workspaces",
                new { name = $"failover-{i:D2}", release_id = VmRelease, size = new { cpu = 1, memory_gb = 1 } }, cancellationToken);
            response.StatusCode.ShouldBeAccepted();
            ids.Add((await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("workspace_id").GetGuid());
        }

        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await WaitAsync(async () => await CountAsync(connection, """SELECT count(*) FROM provisioning_steps WHERE "Name" = 'power_on' AND "Status" = 'Running' AND "WorkspaceId" = ANY($1)""", ids, cancellationToken) == count,
            TimeSpan.FromSeconds(60), "every attempt in power_on", cancellationToken);

        // Node B joins once every attempt runs on A, so all of them are A's when it dies.
        await using var b = await PortalNode.StartAsync(portal, database.ConnectionString, "b", cancellationToken);

        // A random moment of the check-in cycle, so the samples cover it.
        await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(0, 5000)), cancellationToken);
        var lastSequence = await CountAsync(connection, """SELECT coalesce(max("Sequence"), 0) FROM workspace_events""", ids, cancellationToken);
        var killedAt = TimeProvider.System.GetUtcNow();
        var killedAfter = a.Age;
        a.Kill();

        var seconds = new Dictionary<Guid, double>();
        await WaitAsync(async () =>
        {
            await using var query = new NpgsqlCommand("""
                SELECT "WorkspaceId", min("OccurredAt") FROM workspace_events
                WHERE "Sequence" > $1 AND "WorkspaceId" = ANY($2) GROUP BY "WorkspaceId"
                """, connection);
            query.Parameters.AddWithValue(lastSequence);
            query.Parameters.AddWithValue(ids.ToArray());
            await using var reader = await query.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                seconds[reader.GetGuid(0)] = (reader.GetFieldValue<DateTimeOffset>(1) - killedAt).TotalSeconds;
            }

            return seconds.Count == count;
        }, TimeSpan.FromSeconds(120), "every attempt running again on B", cancellationToken);
        return ([.. seconds.Values], killedAfter);
    }

    private static async Task<long> CountAsync(NpgsqlConnection connection, string sql, List<Guid> ids, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        if (sql.Contains("$1", StringComparison.Ordinal))
        {
            command.Parameters.AddWithValue(ids.ToArray());
        }

        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task WaitAsync(Func<Task<bool>> condition, TimeSpan deadline, string what, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > deadline)
            {
                throw new TimeoutException($"Not {what} within {deadline.TotalSeconds} s.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken);
        }
    }

    private static void ShouldBeAccepted(this HttpStatusCode status)
    {
        if (status != HttpStatusCode.Accepted)
        {
            throw new InvalidOperationException($"Creating a workspace answered {(int)status}.");
        }
    }

    private static string PortalDll() => Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "src", "Portal", "bin", "Release", "net10.0", "Portal.dll"));

    /// <summary>One portal node: the built portal as a process on a free loopback port, its data folder its own.</summary>
    private sealed class PortalNode : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly DirectoryInfo _data;
        private readonly Stopwatch _age = Stopwatch.StartNew();

        private PortalNode(Process process, DirectoryInfo data, Uri address)
        {
            _process = process;
            _data = data;
            Address = address;
        }

        public Uri Address { get; }

        public TimeSpan Age => _age.Elapsed;

        public static async Task<PortalNode> StartAsync(string portal, string database, string name, CancellationToken cancellationToken)
        {
            var data = Directory.CreateTempSubdirectory($"prov-bench-failover-{name}-");
            var port = FreePort();
            var info = new ProcessStartInfo("dotnet")
            {
                WorkingDirectory = Path.GetDirectoryName(portal)!,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            info.ArgumentList.Add(portal);
            info.ArgumentList.Add("--urls");
            info.ArgumentList.Add($"http://127.0.0.1:{port}");
            info.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
            info.Environment["Portal__DataDirectory"] = data.FullName;
            info.Environment["Database__Provider"] = "Postgres";
            info.Environment["ConnectionStrings__Portal"] = database;
            info.Environment["Simulator__ReadinessDelay"] = "00:00:00.100";
            info.Environment["Logging__LogLevel__Default"] = "Warning";
            // One member asks for every workspace of the run at once: the per-user limits are not what is measured.
            info.Environment["Throttling__Enabled"] = "false";
            var process = Process.Start(info)!;
            var log = Path.Combine(data.FullName, "portal.log");
            _ = CopyAsync(process.StandardOutput, log);
            _ = CopyAsync(process.StandardError, log + ".err");
            var node = new PortalNode(process, data, new Uri($"http://127.0.0.1:{port}"));
            using var http = new HttpClient { BaseAddress = node.Address };
            await WaitAsync(async () =>
            {
                if (process.HasExited)
                {
                    throw new InvalidOperationException($"Portal node {name} exited with {process.ExitCode}; see {log}.");
                }

                try
                {
                    using var health = await http.GetAsync("/health", cancellationToken);
                    return health.IsSuccessStatusCode;
                }
                catch (HttpRequestException)
                {
                    return false;
                }
            }, TimeSpan.FromSeconds(90), $"node {name} healthy", cancellationToken);
            return node;
        }

        public async Task<HttpClient> SignInAsync(string email, CancellationToken cancellationToken)
        {
            var client = new HttpClient { BaseAddress = Address };
            using var response = await client.PostAsJsonAsync("/api/v1/auth/login", new { email, password = Password }, cancellationToken);
            response.EnsureSuccessStatusCode();
            var token = (await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("access_token").GetString();
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            return client;
        }

        public void Kill() => _process.Kill();

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                _process.Kill();
            }

            await _process.WaitForExitAsync();
            _process.Dispose();
            RawSqliteBenchmark.TryDelete(_data);
        }

        private static async Task CopyAsync(StreamReader from, string path)
        {
            await using var to = File.CreateText(path);
            await from.BaseStream.CopyToAsync(to.BaseStream);
        }

        private static int FreePort()
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
    }
}
