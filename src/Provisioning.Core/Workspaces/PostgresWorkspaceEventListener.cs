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
/// A dropped connection loses what was notified while it was down, so on reconnecting every workspace is treated as
/// changed (<see cref="WorkspaceDetailCache.Clear"/>) before listening resumes.
/// </remarks>
public sealed partial class PostgresWorkspaceEventListener(
    PortalDatabase database,
    IWorkspaceUpdates updates,
    WorkspaceDetailCache details,
    TimeProvider time,
    ILogger<PostgresWorkspaceEventListener> logger) : BackgroundService
{
    public const string Channel = "workspace_events";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once the first LISTEN is in place.</summary>
    public Task Listening => _listening.Task;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromMilliseconds(200);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(database.ConnectionString) { KeepAlive = 10, Pooling = false }.ConnectionString);
                connection.Notification += (_, e) => Dispatch(e.Payload);
                await connection.OpenAsync(stoppingToken);
                await using (var listen = new NpgsqlCommand($"LISTEN {Channel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }

                // Whatever was notified while no connection listened is unknown: take everything as changed.
                details.Clear();
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

    private void Dispatch(string payload)
    {
        try
        {
            var change = JsonSerializer.Deserialize<Notified>(payload, Json)!;
            updates.Publish([new WorkspaceChanged(change.WorkspaceId, change.TenantId, change.Sequence, change.Type, change.OccurredAt)]);
        }
        catch (JsonException e)
        {
            LogUnreadable(payload, e);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Listening for other nodes' workspace events failed; trying again in {DelaySeconds} s")]
    private partial void LogListenFailed(double delaySeconds, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A workspace event notification could not be read: {Payload}")]
    private partial void LogUnreadable(string payload, Exception exception);

    private sealed record Notified(Guid WorkspaceId, string TenantId, long Sequence, string Type, DateTimeOffset OccurredAt);
}
