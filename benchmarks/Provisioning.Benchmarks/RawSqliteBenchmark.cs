using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Provisioning.Core.Persistence;

namespace Provisioning.Benchmarks;

/// <summary>
/// The ceiling any engine on this SQLite disk can reach: one transaction = one UPDATE of a step row and one
/// INSERT of an event row, committed, in a loop, with Microsoft.Data.Sqlite directly and the portal's
/// settings (WAL, synchronous=NORMAL). Tables mirror <c>provisioning_steps</c> and <c>workspace_events</c>
/// of the portal's migration (columns and secondary indexes; no foreign keys).
/// </summary>
internal static class RawSqliteBenchmark
{
    private const int Workspaces = 2000;
    private const int StepsPerWorkspace = 6;

    public static async Task<double> MeasureCommitsPerSecondAsync(TimeSpan duration, CancellationToken cancellationToken)
    {
        var dir = Directory.CreateTempSubdirectory("prov-bench-raw-");
        var file = Path.Combine(dir.FullName, "raw.db");
        try
        {
            var connectionString = new SqliteConnectionStringBuilder { DataSource = file }.ToString();
            await using var connection = new SqliteConnection(connectionString);
            await connection.OpenAsync(cancellationToken);
            await ExecuteAsync(connection, SqlitePragmas.Pragmas, cancellationToken);
            await ExecuteAsync(connection, """
                CREATE TABLE provisioning_steps (
                    Id TEXT NOT NULL PRIMARY KEY, WorkspaceId TEXT NOT NULL, Name TEXT NOT NULL, "Order" INTEGER NOT NULL,
                    Status TEXT NOT NULL, StartedAt INTEGER NULL, CompletedAt INTEGER NULL, ErrorCode TEXT NULL,
                    ErrorMessage TEXT NULL, ErrorDetails TEXT NULL, RetryCount INTEGER NOT NULL, NextRetryAt INTEGER NULL,
                    CreatedAt INTEGER NOT NULL);
                CREATE UNIQUE INDEX IX_provisioning_steps_WorkspaceId_Name ON provisioning_steps (WorkspaceId, Name);
                CREATE TABLE workspace_events (
                    Sequence INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, WorkspaceId TEXT NOT NULL, TenantId TEXT NOT NULL,
                    Type TEXT NOT NULL, OccurredAt INTEGER NOT NULL, Actor TEXT NOT NULL, CorrelationId TEXT NULL,
                    Payload TEXT NOT NULL);
                CREATE INDEX IX_workspace_events_WorkspaceId_Sequence ON workspace_events (WorkspaceId, Sequence);
                """, cancellationToken);

            var stepIds = new string[Workspaces * StepsPerWorkspace];
            var workspaceIds = new string[Workspaces];
            await using (var seed = connection.BeginTransaction())
            {
                await using var insert = connection.CreateCommand();
                insert.Transaction = seed;
                insert.CommandText = """
                    INSERT INTO provisioning_steps (Id, WorkspaceId, Name, "Order", Status, RetryCount, CreatedAt)
                    VALUES ($id, $ws, $name, $order, 'Pending', 0, $now)
                    """;
                var id = insert.Parameters.Add("$id", SqliteType.Text);
                var ws = insert.Parameters.Add("$ws", SqliteType.Text);
                var name = insert.Parameters.Add("$name", SqliteType.Text);
                var order = insert.Parameters.Add("$order", SqliteType.Integer);
                insert.Parameters.AddWithValue("$now", TimeProvider.System.GetUtcNow().UtcTicks);
                for (var w = 0; w < Workspaces; w++)
                {
                    workspaceIds[w] = Guid.NewGuid().ToString().ToUpperInvariant();
                    for (var s = 0; s < StepsPerWorkspace; s++)
                    {
                        var stepId = Guid.NewGuid().ToString().ToUpperInvariant();
                        stepIds[(w * StepsPerWorkspace) + s] = stepId;
                        id.Value = stepId;
                        ws.Value = workspaceIds[w];
                        name.Value = $"step_{s}";
                        order.Value = s;
                        await insert.ExecuteNonQueryAsync(cancellationToken);
                    }
                }

                await seed.CommitAsync(cancellationToken);
            }

            await using var update = connection.CreateCommand();
            update.CommandText = """
                UPDATE provisioning_steps SET Status = $status, StartedAt = $at, CompletedAt = $at, RetryCount = $retry
                WHERE Id = $id
                """;
            var uStatus = update.Parameters.Add("$status", SqliteType.Text);
            var uAt = update.Parameters.Add("$at", SqliteType.Integer);
            var uRetry = update.Parameters.Add("$retry", SqliteType.Integer);
            var uId = update.Parameters.Add("$id", SqliteType.Text);

            await using var append = connection.CreateCommand();
            append.CommandText = """
                INSERT INTO workspace_events (WorkspaceId, TenantId, Type, OccurredAt, Actor, CorrelationId, Payload)
                VALUES ($ws, 'acme', $type, $at, 'engine', $corr, $payload)
                RETURNING Sequence
                """;
            var eWs = append.Parameters.Add("$ws", SqliteType.Text);
            var eType = append.Parameters.Add("$type", SqliteType.Text);
            var eAt = append.Parameters.Add("$at", SqliteType.Integer);
            var eCorr = append.Parameters.Add("$corr", SqliteType.Text);
            var ePayload = append.Parameters.Add("$payload", SqliteType.Text);
            update.Prepare();
            append.Prepare();

            var commits = 0L;
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < duration)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var i = (int)(commits % stepIds.Length);
                var now = TimeProvider.System.GetUtcNow();
                await using var transaction = connection.BeginTransaction();
                update.Transaction = transaction;
                append.Transaction = transaction;
                uStatus.Value = (commits & 1) == 0 ? "Running" : "Success";
                uAt.Value = now.UtcTicks;
                uRetry.Value = 0;
                uId.Value = stepIds[i];
                await update.ExecuteNonQueryAsync(cancellationToken);
                eWs.Value = workspaceIds[i / StepsPerWorkspace];
                eType.Value = (commits & 1) == 0 ? "step.started" : "step.succeeded";
                eAt.Value = now.UtcTicks;
                eCorr.Value = workspaceIds[i / StepsPerWorkspace];
                ePayload.Value = $"{{\"step\":\"step_{i % StepsPerWorkspace}\",\"retry_count\":0}}";
                await append.ExecuteScalarAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                commits++;
            }

            clock.Stop();
            return commits / clock.Elapsed.TotalSeconds;
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            TryDelete(dir);
        }
    }

    /// <summary>
    /// Microseconds for one pooled open + close of a connection, without and with the batch of PRAGMAs the
    /// portal's connection interceptor runs on every open (its <c>SqlitePragmas</c>).
    /// </summary>
    public static async Task<(double PlainUs, double WithPragmasUs)> MeasureOpenCostAsync(int iterations, CancellationToken cancellationToken)
    {
        var dir = Directory.CreateTempSubdirectory("prov-bench-open-");
        try
        {
            var connectionString = new SqliteConnectionStringBuilder { DataSource = Path.Combine(dir.FullName, "open.db") }.ToString();
            await using (var setup = new SqliteConnection(connectionString))
            {
                await setup.OpenAsync(cancellationToken);
                await ExecuteAsync(setup, "PRAGMA journal_mode=WAL; CREATE TABLE t (x INTEGER);", cancellationToken);
            }

            async Task<double> TimeAsync(string? pragmas)
            {
                var clock = Stopwatch.StartNew();
                for (var i = 0; i < iterations; i++)
                {
                    await using var connection = new SqliteConnection(connectionString);
                    await connection.OpenAsync(cancellationToken);
                    if (pragmas is not null)
                    {
                        await ExecuteAsync(connection, pragmas, cancellationToken);
                    }
                }

                return clock.Elapsed.TotalMicroseconds / iterations;
            }

            await TimeAsync(null);
            await TimeAsync(SqlitePragmas.Pragmas);
            return (await TimeAsync(null), await TimeAsync(SqlitePragmas.Pragmas));
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            TryDelete(dir);
        }
    }

    public static async Task<int> RunStandaloneAsync(BenchmarkOptions options, CancellationToken cancellationToken)
    {
        var runs = options.Int("runs", 3);
        var seconds = options.Double("raw-seconds", 3);
        var results = new List<double>();
        for (var run = 1; run <= runs; run++)
        {
            var rate = await MeasureCommitsPerSecondAsync(TimeSpan.FromSeconds(seconds), cancellationToken);
            Log.Progress($"raw run {run}: {rate:N0} commits/s");
            results.Add(rate);
        }

        Console.WriteLine(new MarkdownTable("measure", "median", "runs")
            .Row("raw SQLite commits/s (UPDATE step + INSERT event, WAL, synchronous=NORMAL)",
                Stats.F(Stats.Median(results)), string.Join(" · ", results.Select(r => Stats.F(r))))
            .ToString());
        return 0;
    }

    internal static void TryDelete(DirectoryInfo dir)
    {
        try
        {
            dir.Delete(recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static async Task ExecuteAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
