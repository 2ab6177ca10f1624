using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Provisioning.Core.Persistence;

/// <summary>
/// Per-connection SQLite settings: WAL lets readers work beside the writer, and synchronous=NORMAL is
/// durable across process crashes in WAL mode (only a power loss can drop the last commits). Reads go through
/// a memory map: every commit of another connection empties a connection's page cache, and the engine, the
/// simulator and the pages each use their own pooled connections, so pages are re-read all the time.
/// </summary>
public sealed class SqlitePragmas : DbConnectionInterceptor
{
    /// <summary>What runs on every connection open; the raw SQLite benchmark uses the same file settings.</summary>
    public const string Pragmas = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000; PRAGMA mmap_size=268435456;";

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
