using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Provisioning.Core.Persistence;
using Provisioning.Core.Workspaces;

namespace Provisioning.Core.Steps.Logs;

/// <summary><c>Provisioning:Logs:*</c>.</summary>
public sealed class StepLogOptions
{
    public const string Section = "Provisioning:Logs";

    /// <summary>Lines kept per step and attempt; past it, one marker line says the rest was dropped.</summary>
    public int MaxLinesPerStep { get; set; } = 10_000;
}

/// <summary>
/// Keeps a template step's log lines in the database (<see cref="StepLogLine"/>), numbered per step and attempt, and
/// tells the pages showing the workspace that there are new ones — in this process, and on PostgreSQL every node,
/// through the channel the workspace events use. Lines are saved every 200 ms while a run writes, in one commit per
/// batch. Failing to save them never fails the step: the portal's own log says so instead.
/// </summary>
public sealed partial class PersistedStepLog(
    IDbContextFactory<ProvisioningDbContext> dbFactory,
    IWorkspaceUpdates updates,
    PortalDatabase database,
    IOptions<StepLogOptions> options,
    TimeProvider time,
    ILogger<PersistedStepLog> logger) : IStepLog
{
    private static readonly TimeSpan FlushEvery = TimeSpan.FromMilliseconds(200);
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private int MaxLines => options.Value.MaxLinesPerStep;

    private DateTimeOffset Now => time.GetUtcNow();

    public async Task<IStepLogWriter> OpenAsync(StepContext context, string phase)
    {
        await using var db = await dbFactory.CreateDbContextAsync(context.CancellationToken);
        // A run after a restart or a retry of the same attempt goes on numbering where the last one stopped.
        var last = await db.StepLogLines
            .Where(l => l.WorkspaceId == context.WorkspaceId && l.Step == context.StepName && l.Attempt == context.Attempt)
            .MaxAsync(l => (int?)l.Number, context.CancellationToken) ?? 0;
        return new Writer(this, context, phase, last);
    }

    private async Task SaveAsync(StepContext context, List<StepLogLine> lines)
    {
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(CancellationToken.None);
            db.StepLogLines.AddRange(lines);
            var change = new WorkspaceChanged(context.WorkspaceId, context.TenantId, 0, WorkspaceEventTypes.StepLogAppended, time.GetUtcNow());
            if (database.Provider == DatabaseProvider.Postgres)
            {
                // In the same transaction as the lines: other nodes hear of them when, and only if, they are there.
                await using var transaction = await db.Database.BeginTransactionAsync(CancellationToken.None);
                await db.SaveChangesAsync(CancellationToken.None);
                await db.Database.ExecuteSqlAsync($"SELECT pg_notify({PostgresWorkspaceEventListener.Channel}, {JsonSerializer.Serialize(change, Json)})");
                await transaction.CommitAsync(CancellationToken.None);
            }
            else
            {
                await db.SaveChangesAsync(CancellationToken.None);
            }

            updates.Publish([change]);
        }
        catch (Exception e) when (e is DbUpdateException or InvalidOperationException or TimeoutException or Npgsql.NpgsqlException or Microsoft.Data.Sqlite.SqliteException)
        {
            LogNotSaved(lines.Count, context.StepName, context.WorkspaceId, e);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} log lines of step {Step} of workspace {WorkspaceId} could not be saved")]
    private partial void LogNotSaved(int count, string step, Guid workspaceId, Exception exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Step {Step} of workspace {WorkspaceId} (attempt {Attempt}, {Phase}) {Stream}: {Line}")]
    private partial void LogLine(string step, Guid workspaceId, int attempt, string phase, string stream, string line);

    private sealed class Writer : IStepLogWriter
    {
        private readonly PersistedStepLog _log;
        private readonly StepContext _context;
        private readonly string _phase;
        private readonly Lock _gate = new();
        private readonly SemaphoreSlim _saving = new(1, 1);
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _flushing;
        private List<StepLogLine> _pending = [];
        private int _number;
        private bool _capped;

        public Writer(PersistedStepLog log, StepContext context, string phase, int last)
        {
            _log = log;
            _context = context;
            _phase = phase;
            _number = last;
            _capped = last >= log.MaxLines;
            _flushing = FlushLoopAsync();
        }

        public void Write(string stream, string line)
        {
            _log.LogLine(_context.StepName, _context.WorkspaceId, _context.Attempt, _phase, stream, line);
            var max = _log.MaxLines;
            lock (_gate)
            {
                if (_capped)
                {
                    return;
                }

                _number++;
                if (_number >= max)
                {
                    _capped = true;
                    (stream, line) = ("portal", $"… later lines were dropped: at most {max} lines are kept per step and attempt (Provisioning:Logs:MaxLinesPerStep)");
                }

                _pending.Add(new StepLogLine(_context.WorkspaceId, _context.StepName, _context.Attempt, _number, _phase, stream, line, _log.Now));
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _flushing;
            await FlushAsync();
            _stop.Dispose();
            _saving.Dispose();
        }

        // Real time, not the portal's clock: this paces writes to the database, it does not decide anything.
        private async Task FlushLoopAsync()
        {
            try
            {
                while (true)
                {
                    await Task.Delay(FlushEvery, TimeProvider.System, _stop.Token);
                    await FlushAsync();
                }
            }
            catch (OperationCanceledException)
            {
            }
        }

        private async Task FlushAsync()
        {
            await _saving.WaitAsync();
            try
            {
                List<StepLogLine> lines;
                lock (_gate)
                {
                    (lines, _pending) = (_pending, []);
                }

                if (lines.Count > 0)
                {
                    await _log.SaveAsync(_context, lines);
                }
            }
            finally
            {
                _saving.Release();
            }
        }
    }
}
