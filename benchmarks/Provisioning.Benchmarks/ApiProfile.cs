using System.Collections.Concurrent;
using System.Data.Common;
using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.AspNetCore.Identity;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Provisioning.Core.Persistence;
using Provisioning.Core.Workspaces;

namespace Provisioning.Benchmarks;

/// <summary>
/// <c>api --profile</c>: where a <c>GET /api/v1/workspaces/{id}</c> spends its time, measured piece by piece
/// in the hosted portal, one call at a time (no concurrency), after the wrk runs. Nothing here changes the portal.
/// </summary>
internal static partial class ApiProfile
{
    private const string PortalPragmas = SqlitePragmas.Pragmas;

    public static async Task<string> RunAsync(IServiceProvider services, string token, IReadOnlyList<Guid> ids, int calls, CancellationToken cancellationToken)
    {
        var report = new List<(string What, double MicrosPerCall, string Note)>();
        var random = new Random(7);
        Guid Pick() => ids[random.Next(ids.Count)];

        // 1. The endpoint's query as the endpoint runs it (WorkspaceQueries.GetAsync: pooled context, split query),
        //    with EF Core's own diagnostics counting the commands and connection opens it makes.
        var queries = services.GetRequiredService<WorkspaceQueries>();
        for (var i = 0; i < 500; i++)
        {
            _ = await queries.GetAsync(SeededWorkspaces.Tenant, Pick(), cancellationToken);
        }

        // Sequential and 10 at a time, without any listener: wall time and this process's CPU time per call.
        using var self = Process.GetCurrentProcess();
        async Task<(double Wall, double Cpu, double AllocatedKb)> Measure<T>(int parallel, Func<Guid, Task<T>> call)
        {
            async Task Calls(int count)
            {
                var mine = new Random();
                for (var i = 0; i < count; i++)
                {
                    _ = await call(ids[mine.Next(ids.Count)]) ?? throw new InvalidOperationException("A seeded workspace was not found.");
                }
            }

            await Calls(500);
            self.Refresh();
            var cpuBefore = self.TotalProcessorTime;
            var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
            var clock = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, parallel).Select(worker => Task.Run(() => Calls(calls / parallel), cancellationToken)));
            var wall = clock.Elapsed;
            var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
            self.Refresh();
            return (Micros(wall, calls), Micros(self.TotalProcessorTime - cpuBefore, calls), allocated / 1024.0 / calls);
        }

        var sequential = await Measure(1, id => queries.GetAsync(SeededWorkspaces.Tenant, id, cancellationToken));
        var concurrent = await Measure(10, id => queries.GetAsync(SeededWorkspaces.Tenant, id, cancellationToken));
        report.Add(("`WorkspaceQueries.GetAsync` (as the endpoint: split query, 3 SELECTs) one at a time: wall", sequential.Wall,
            $"CPU {sequential.Cpu:N0} µs, {sequential.AllocatedKb:N1} KB allocated per call"));
        report.Add(("`WorkspaceQueries.GetAsync` 10 at a time (10 tasks, like wrk's 10 connections): wall", concurrent.Wall,
            $"CPU {concurrent.Cpu:N0} µs per call ({1e6 / concurrent.Wall:N0} calls/s)"));

        // Not the portal's code: the same read as one SELECT (single query), and that compiled once with
        // EF.CompileAsyncQuery, to see what the split query and the per-call LINQ work cost.
        var dbFactory = services.GetRequiredService<IDbContextFactory<ProvisioningDbContext>>();
        async Task<Workspace?> SingleQuery(Guid id)
        {
            await using var scoped = await dbFactory.CreateDbContextAsync(cancellationToken);
            scoped.TenantScope = SeededWorkspaces.Tenant;
            return await scoped.Workspaces.AsNoTracking()
                .Include(w => w.Steps.OrderBy(s => s.Order))
                .Include(w => w.Attempts)
                .AsSingleQuery()
                .SingleOrDefaultAsync(w => w.Id == id, cancellationToken);
        }

        async Task<Workspace?> CompiledSingleQuery(Guid id)
        {
            await using var scoped = await dbFactory.CreateDbContextAsync(cancellationToken);
            scoped.TenantScope = SeededWorkspaces.Tenant;
            return await CompiledGet(scoped, id);
        }

        var single = await Measure(1, SingleQuery);
        var compiled = await Measure(1, CompiledSingleQuery);
        report.Add(("Not the portal's code: the same read as one SELECT (`AsSingleQuery`), one at a time: wall", single.Wall,
            $"CPU {single.Cpu:N0} µs, {single.AllocatedKb:N1} KB allocated per call"));
        report.Add(("Not the portal's code: one SELECT, compiled once (`EF.CompileAsyncQuery`), one at a time: wall", compiled.Wall,
            $"CPU {compiled.Cpu:N0} µs, {compiled.AllocatedKb:N1} KB allocated per call"));

        // With EF Core's diagnostics on: which commands, how many, how long. EF Core re-checks whether anyone
        // listens about once a second, so the listener is attached for 1.5 s of calls before counting starts.
        WorkspaceDetail? detail = null;
        TimeSpan elapsed;
        using var observer = new EfObserver();
        using (DiagnosticListener.AllListeners.Subscribe(observer))
        {
            var warm = Stopwatch.StartNew();
            while (warm.Elapsed < TimeSpan.FromSeconds(1.5))
            {
                _ = await queries.GetAsync(SeededWorkspaces.Tenant, Pick(), cancellationToken);
            }

            observer.Reset();
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < calls; i++)
            {
                detail = await queries.GetAsync(SeededWorkspaces.Tenant, Pick(), cancellationToken);
            }

            elapsed = clock.Elapsed;
        }

        observer.Dispose();

        var statements = observer.Statements.ToArray();
        var commands = statements.Sum(s => s.Value.Count);
        var commandMicros = statements.Sum(s => s.Value.Ticks) / (double)TimeSpan.TicksPerMicrosecond;
        report.Add(("`WorkspaceQueries.GetAsync` with EF Core's diagnostics on (counting)", Micros(elapsed, calls),
            $"{(double)commands / calls:N1} commands and {(double)observer.Opens / calls:N1} connection opens per call; " +
            $"{commandMicros / calls:N0} µs of it inside commands (EF's `CommandExecuted` duration: prepare + first step), " +
            $"{observer.OpenTicks / (double)TimeSpan.TicksPerMicrosecond / calls:N0} µs opening connections (the per-open PRAGMAs included)"));

        // 2. The same statements through Microsoft.Data.Sqlite on one open connection: prepared anew each time
        //    (what happens under EF: Microsoft.Data.Sqlite does not cache statements) against prepared once.
        await using var db = await services.GetRequiredService<IDbContextFactory<ProvisioningDbContext>>().CreateDbContextAsync(cancellationToken);
        var connectionString = db.Database.GetConnectionString()!;
        var perStatement = new List<(string Sql, double Fresh, double Prepared, long Count)>();
        using (var connection = new SqliteConnection(connectionString))
        {
            connection.Open();
            foreach (var (shape, entry) in statements.OrderByDescending(s => s.Value.Count))
            {
                if (entry.Sample is not { } sample || (double)entry.Count / calls < 0.5)
                {
                    continue;
                }

                var fresh = Time(calls, () =>
                {
                    using var command = sample.Create(connection);
                    Drain(command);
                });
                using var prepared = sample.Create(connection);
                prepared.Prepare();
                var reused = Time(calls, () => Drain(prepared));
                perStatement.Add((shape, fresh, reused, entry.Count));
            }

            var pooledOpen = Time(calls, () =>
            {
                using var c = new SqliteConnection(connectionString);
                c.Open();
            });
            report.Add(("Microsoft.Data.Sqlite: pooled connection open + close, without the portal's PRAGMAs", pooledOpen, ""));
            var pragmas = Time(calls, () =>
            {
                using var command = connection.CreateCommand();
                command.CommandText = PortalPragmas;
                command.ExecuteNonQuery();
            });
            report.Add(($"SQLite `{PortalPragmas}`", pragmas, "what `SqlitePragmas` runs on every connection open"));
        }

        foreach (var (sql, fresh, prepared, count) in perStatement)
        {
            report.Add(($"SQLite `{Truncate(sql, 90)}` ({(double)count / calls:N1}× per call)", fresh,
                $"prepared once and reused: {prepared:N1} µs"));
        }

        // 3. The JSON answer, with the API's serializer options.
        var json = services.GetRequiredService<IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions;
        var bytes = 0;
        report.Add(("JSON: serialize the `WorkspaceDetail` (API options)", Time(calls, () => bytes = JsonSerializer.SerializeToUtf8Bytes(detail, json).Length),
            $"{bytes:N0} bytes"));

        // 4. The bearer token: Identity's bearer handler unprotects it (Data Protection) on every request.
        var bearer = services.GetRequiredService<IOptionsMonitor<BearerTokenOptions>>().Get(IdentityConstants.BearerScheme);
        report.Add(("Bearer token: `BearerTokenProtector.Unprotect` (Data Protection, AES-256-CBC + HMACSHA256)",
            Time(calls, () => _ = bearer.BearerTokenProtector.Unprotect(token) ?? throw new InvalidOperationException("The token does not unprotect.")), ""));

        var table = new MarkdownTable("piece", "µs per call", "note");
        foreach (var (what, micros, note) in report)
        {
            table.Row(what, Stats.F(micros, 1), note);
        }

        return table.ToString();
    }

    private static readonly Func<ProvisioningDbContext, Guid, Task<Workspace?>> CompiledGet = EF.CompileAsyncQuery(
        (ProvisioningDbContext db, Guid id) => db.Workspaces.AsNoTracking()
            .Include(w => w.Steps.OrderBy(s => s.Order))
            .Include(w => w.Attempts)
            .AsSingleQuery()
            .SingleOrDefault(w => w.Id == id));

    private static double Time(int calls, Action call)
    {
        for (var i = 0; i < Math.Min(500, calls); i++)
        {
            call();
        }

        var clock = Stopwatch.StartNew();
        for (var i = 0; i < calls; i++)
        {
            call();
        }

        return Micros(clock.Elapsed, calls);
    }

    private static double Micros(TimeSpan elapsed, int calls) => elapsed.TotalMicroseconds / calls;

    private static void Drain(SqliteCommand command)
    {
        using var reader = command.ExecuteReader();
        do
        {
            while (reader.Read())
            {
            }
        }
        while (reader.NextResult());
    }

    private static string Truncate(string s, int length) => s.Length <= length ? s : s[..length] + "…";

    /// <summary>The statement with whitespace collapsed and parameter names kept.</summary>
    private static string Shape(string sql) => Whitespace().Replace(sql, " ").Trim();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    /// <summary>A command's text and parameter values, to run again outside EF Core.</summary>
    private sealed record CommandSample(string Text, IReadOnlyList<(string Name, object? Value)> Parameters)
    {
        public SqliteCommand Create(SqliteConnection connection)
        {
            var command = connection.CreateCommand();
            command.CommandText = Text;
            foreach (var (name, value) in Parameters)
            {
                command.Parameters.AddWithValue(name, value ?? DBNull.Value);
            }

            return command;
        }

        public static CommandSample From(DbCommand command) =>
            new(command.CommandText, command.Parameters.Cast<DbParameter>().Select(p => (p.ParameterName, (object?)p.Value)).ToList());
    }

    private sealed class Entry
    {
        public long Count;
        public long Ticks;
        public CommandSample? Sample;
    }

    /// <summary>EF Core's DiagnosticSource events: executed commands (by statement) and opened connections.</summary>
    private sealed class EfObserver : IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>, IDisposable
    {
        private readonly List<IDisposable> _subscriptions = [];
        private long _opens;
        private long _openTicks;

        public ConcurrentDictionary<string, Entry> Statements { get; } = new(StringComparer.Ordinal);

        public long Opens => Interlocked.Read(ref _opens);

        public long OpenTicks => Interlocked.Read(ref _openTicks);

        public void OnNext(DiagnosticListener value)
        {
            if (value.Name == DbLoggerCategory.Name)
            {
                lock (_subscriptions)
                {
                    _subscriptions.Add(value.Subscribe(this));
                }
            }
        }

        public void OnNext(KeyValuePair<string, object?> value)
        {
            switch (value.Value)
            {
                case CommandExecutedEventData executed:
                    var entry = Statements.GetOrAdd(Shape(executed.Command.CommandText), _ => new Entry());
                    Interlocked.Increment(ref entry.Count);
                    Interlocked.Add(ref entry.Ticks, executed.Duration.Ticks);
                    entry.Sample ??= CommandSample.From(executed.Command);
                    break;
                case ConnectionEndEventData opened when value.Key == RelationalEventId.ConnectionOpened.Name:
                    Interlocked.Increment(ref _opens);
                    Interlocked.Add(ref _openTicks, opened.Duration.Ticks);
                    break;
            }
        }

        public void Reset()
        {
            Statements.Clear();
            Interlocked.Exchange(ref _opens, 0);
            Interlocked.Exchange(ref _openTicks, 0);
        }

        public void Dispose()
        {
            lock (_subscriptions)
            {
                _subscriptions.ForEach(s => s.Dispose());
                _subscriptions.Clear();
            }
        }

        public void OnCompleted()
        {
        }

        public void OnError(Exception error)
        {
        }
    }
}
