using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Provisioning.Core.Persistence;

namespace Provisioning.Core.Workspaces;

/// <summary>
/// On PostgreSQL, brings the events other nodes commit into this node's <see cref="IWorkspaceUpdates"/>: a trigger
/// NOTIFYs every event on commit, and this keeps one connection LISTENing. Pages served here then refresh for work
/// running anywhere, and <see cref="WorkspaceDetailCache"/> drops what another node changed. This node's own events
/// arrive twice (published in process as they commit, then notified): every subscriber takes a change again safely.
/// </summary>
/// <remarks>
/// A dropped connection loses what was notified while it was down. On reconnecting, once listening again, the node
/// reads the events committed after the last one it heard of and publishes them, so the pages showing those
/// workspaces catch up; the detail cache is cleared as well, for anything the read cannot tell (an event committed
/// with a lower sequence than one already heard, as concurrent transactions may).
/// </remarks>
public sealed partial class PostgresWorkspaceEventListener(
    PortalDatabase database,
    IWorkspaceUpdates updates,
    WorkspaceDetailCache details,
    TimeProvider time,
    ILogger<PostgresWorkspaceEventListener> logger) : BackgroundService
{
    public const string Channel = "workspace_events";

    /// <summary>How the listening connection names itself to the server (<c>pg_stat_activity.application_name</c>).</summary>
    public const string ApplicationName = "portal-event-listener";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    // Most events a catch-up publishes: beyond that a page reloads on its next event (or by the user's hand).
    private const int CatchUpLimit = 10_000;

    private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // The highest sequence heard of, from a notification or a catch-up; NotYet until the first LISTEN.
    private const long NotYet = -1;
    private long _heard = NotYet;

    /// <summary>Completes once the first LISTEN is in place.</summary>
    public Task Listening => _listening.Task;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromMilliseconds(200);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(database.ConnectionString) { KeepAlive = 10, Pooling = false, ApplicationName = ApplicationName }.ConnectionString);
                connection.Notification += (_, e) => Dispatch(e.Payload);
                await connection.OpenAsync(stoppingToken);
                await using (var listen = new NpgsqlCommand($"LISTEN {Channel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }

                // Whatever was notified while no connection listened is read back from the table (see remarks).
                details.Clear();
                await CatchUpAsync(connection, stoppingToken);
                _listening.TrySetResult();
                delay = TimeSpan.FromMilliseconds(200);
                while (!stoppingToken.IsCancellationRequested)
                {
                    await connection.WaitAsync(stoppingToken);
                }
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                LogListenFailed(delay.TotalSeconds, e);
                await Task.Delay(delay, time, stoppingToken);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(10).Ticks));
            }
        }
    }

    /// <summary>The first time, notes where the events stand; after a reconnect, publishes what was committed since the last one heard of.</summary>
    private async Task CatchUpAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var heard = Interlocked.Read(ref _heard);
        if (heard == NotYet)
        {
            await using var last = new NpgsqlCommand("""SELECT coalesce(max("Sequence"), 0) FROM workspace_events""", connection);
            Heard((long)(await last.ExecuteScalarAsync(cancellationToken))!);
            return;
        }

        await using var missed = new NpgsqlCommand("""
            SELECT "WorkspaceId", "TenantId", "Sequence", "Type", "OccurredAt" FROM workspace_events
            WHERE "Sequence" > $1 ORDER BY "Sequence" LIMIT $2
            """, connection);
        missed.Parameters.AddWithValue(heard);
        missed.Parameters.AddWithValue(CatchUpLimit);
        var changes = new List<WorkspaceChanged>();
        await using (var reader = await missed.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                changes.Add(new WorkspaceChanged(reader.GetGuid(0), reader.GetString(1), reader.GetInt64(2), reader.GetString(3), reader.GetFieldValue<DateTimeOffset>(4)));
            }
        }

        if (changes.Count > 0)
        {
            updates.Publish(changes);
            Heard(changes[^1].Sequence);
        }

        LogCaughtUp(changes.Count, heard);
    }

    private void Heard(long sequence)
    {
        // Notifications arrive on the connection's reads, a catch-up on this loop: keep the highest.
        var current = Interlocked.Read(ref _heard);
        while (sequence > current)
        {
            var seen = Interlocked.CompareExchange(ref _heard, sequence, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }

    private void Dispatch(string payload)
    {
        try
        {
            var change = JsonSerializer.Deserialize<Notified>(payload, Json)!;
            updates.Publish([new WorkspaceChanged(change.WorkspaceId, change.TenantId, change.Sequence, change.Type, change.OccurredAt)]);
            Heard(change.Sequence);
        }
        catch (JsonException e)
        {
            LogUnreadable(payload, e);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Listening for other nodes' workspace events failed; trying again in {DelaySeconds} s")]
    private partial void LogListenFailed(double delaySeconds, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Listening again for other nodes' workspace events: {Count} events committed after {Sequence} published")]
    private partial void LogCaughtUp(int count, long sequence);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A workspace event notification could not be read: {Payload}")]
    private partial void LogUnreadable(string payload, Exception exception);

    private sealed record Notified(Guid WorkspaceId, string TenantId, long Sequence, string Type, DateTimeOffset OccurredAt);
}
