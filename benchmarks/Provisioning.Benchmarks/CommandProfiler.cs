using System.Collections.Concurrent;
using System.Data.Common;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Provisioning.Benchmarks;

internal sealed record CommandProfile(
    long Commands, long Selects, long Inserts, long Updates, long Commits, long AutocommitWrites, TimeSpan CommandTime,
    long ConnectionOpens, long SaveChanges, double GateHeldFraction,
    IReadOnlyList<(string Statement, long Count, TimeSpan Time)> Statements)
{
    public string TopStatements(int n)
    {
        var text = new StringBuilder();
        foreach (var (statement, count, time) in Statements.OrderByDescending(s => s.Time).Take(n))
        {
            text.AppendLine($"  {count,7:N0}×  {time.TotalMilliseconds,9:N0} ms  {statement}");
        }

        return text.ToString();
    }
}

/// <summary>
/// Counts and times every command EF Core sends (by kind and by statement shape) and every transaction
/// commit. Only used by <c>engine --profile</c>; the headline figures run without it.
/// </summary>
internal sealed partial class CommandProfiler
{
    private readonly ConcurrentDictionary<string, Entry> _statements = new(StringComparer.Ordinal);
    private long _commits;

    private long _opens;
    private long _saves;

    public CommandProfiler()
    {
        Commands = new CommandCounter(this);
        Transactions = new TransactionCounter(this);
        Connections = new ConnectionCounter(this);
        Saves = new SaveCounter(this);
    }

    public IInterceptor Commands { get; }

    public IInterceptor Transactions { get; }

    public IInterceptor Connections { get; }

    public IInterceptor Saves { get; }

    public void Reset()
    {
        _statements.Clear();
        Interlocked.Exchange(ref _commits, 0);
        Interlocked.Exchange(ref _opens, 0);
        Interlocked.Exchange(ref _saves, 0);
    }

    public CommandProfile Snapshot(double gateHeldFraction)
    {
        var entries = _statements.ToArray();
        long Sum(Func<string, bool> match) => entries.Where(e => match(e.Key)).Sum(e => e.Value.Count);
        return new CommandProfile(
            Commands: entries.Sum(e => e.Value.Count),
            Selects: Sum(k => k.StartsWith("SELECT", StringComparison.Ordinal) || k.StartsWith("PRAGMA", StringComparison.Ordinal)),
            Inserts: Sum(k => k.StartsWith("INSERT", StringComparison.Ordinal)),
            Updates: Sum(k => k.StartsWith("UPDATE", StringComparison.Ordinal)),
            Commits: Interlocked.Read(ref _commits),
            AutocommitWrites: entries.Sum(e => e.Value.Autocommit),
            CommandTime: TimeSpan.FromTicks(entries.Sum(e => e.Value.Ticks)),
            ConnectionOpens: Interlocked.Read(ref _opens),
            SaveChanges: Interlocked.Read(ref _saves),
            GateHeldFraction: gateHeldFraction,
            Statements: entries.Select(e => (e.Key, e.Value.Count, TimeSpan.FromTicks(e.Value.Ticks))).ToList());
    }

    private void Record(DbCommand command, TimeSpan duration)
    {
        var key = Shape(command.CommandText);
        var entry = _statements.GetOrAdd(key, _ => new Entry());
        Interlocked.Increment(ref entry.Count);
        Interlocked.Add(ref entry.Ticks, duration.Ticks);
        var write = !key.StartsWith("SELECT", StringComparison.Ordinal) && !key.StartsWith("PRAGMA", StringComparison.Ordinal);
        if (write && command.Transaction is null)
        {
            Interlocked.Increment(ref entry.Autocommit);
        }
    }

    /// <summary>The statement's first 110 characters with whitespace collapsed and parameters elided.</summary>
    private static string Shape(string sql)
    {
        var flat = Whitespace().Replace(sql, " ").Trim();
        flat = Parameter().Replace(flat, "@p");
        return flat.Length <= 110 ? flat : flat[..110] + "…";
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    [GeneratedRegex(@"@\w+")]
    private static partial Regex Parameter();

    private sealed class Entry
    {
        public long Count;
        public long Ticks;
        public long Autocommit;
    }

    private sealed class CommandCounter(CommandProfiler owner) : DbCommandInterceptor
    {
        public override DbDataReader ReaderExecuted(DbCommand command, CommandExecutedEventData eventData, DbDataReader result)
        {
            owner.Record(command, eventData.Duration);
            return result;
        }

        public override ValueTask<DbDataReader> ReaderExecutedAsync(DbCommand command, CommandExecutedEventData eventData, DbDataReader result, CancellationToken cancellationToken = default)
        {
            owner.Record(command, eventData.Duration);
            return ValueTask.FromResult(result);
        }

        public override int NonQueryExecuted(DbCommand command, CommandExecutedEventData eventData, int result)
        {
            owner.Record(command, eventData.Duration);
            return result;
        }

        public override ValueTask<int> NonQueryExecutedAsync(DbCommand command, CommandExecutedEventData eventData, int result, CancellationToken cancellationToken = default)
        {
            owner.Record(command, eventData.Duration);
            return ValueTask.FromResult(result);
        }

        public override object? ScalarExecuted(DbCommand command, CommandExecutedEventData eventData, object? result)
        {
            owner.Record(command, eventData.Duration);
            return result;
        }

        public override ValueTask<object?> ScalarExecutedAsync(DbCommand command, CommandExecutedEventData eventData, object? result, CancellationToken cancellationToken = default)
        {
            owner.Record(command, eventData.Duration);
            return ValueTask.FromResult(result);
        }
    }

    private sealed class ConnectionCounter(CommandProfiler owner) : DbConnectionInterceptor
    {
        public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) =>
            Interlocked.Increment(ref owner._opens);

        public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref owner._opens);
            return Task.CompletedTask;
        }
    }

    private sealed class SaveCounter(CommandProfiler owner) : SaveChangesInterceptor
    {
        public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
        {
            Interlocked.Increment(ref owner._saves);
            return result;
        }

        public override ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref owner._saves);
            return ValueTask.FromResult(result);
        }
    }

    private sealed class TransactionCounter(CommandProfiler owner) : DbTransactionInterceptor
    {
        public override void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) =>
            Interlocked.Increment(ref owner._commits);

        public override Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref owner._commits);
            return Task.CompletedTask;
        }
    }
}

/// <summary>
/// Samples, about once a millisecond, whether the portal's in-process SQLite write gate
/// (<c>Provisioning.Core.Persistence.SqliteWriteGate</c>, an internal static SemaphoreSlim, read by reflection)
/// is held. The fraction of samples that found it held estimates how much of the run the one writer slot was busy.
/// </summary>
internal sealed class WriteGateSampler : IAsyncDisposable
{
    private readonly SemaphoreSlim? _gate;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private long _samples;
    private long _held;

    public WriteGateSampler()
    {
        _gate = typeof(Provisioning.Core.Persistence.ProvisioningDbContext).Assembly
            .GetType("Provisioning.Core.Persistence.SqliteWriteGate")?
            .GetField("Gate", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)?
            .GetValue(null) as SemaphoreSlim;
        _loop = _gate is null ? Task.CompletedTask : Task.Run(LoopAsync);
    }

    /// <summary>NaN when the gate could not be found (the engine's code changed).</summary>
    public double HeldFraction => _gate is null || _samples == 0 ? double.NaN : (double)_held / _samples;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }

    private async Task LoopAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(1), TimeProvider.System);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                _samples++;
                _held += _gate!.CurrentCount == 0 ? 1 : 0;
            }
        }
        catch (OperationCanceledException)
        {
            // Run over.
        }
    }
}
