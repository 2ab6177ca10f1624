using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;
using SQLitePCL;

namespace Provisioning.Core.Persistence;

/// <summary>
/// Per-connection SQLite settings: WAL lets readers work beside the writer, and synchronous=NORMAL is
/// durable across process crashes in WAL mode (only a power loss can drop the last commits). Reads go through
/// a memory map: every commit of another connection empties a connection's page cache, and the engine, the
/// simulator and the pages each use their own pooled connections, so pages are re-read all the time.
/// </summary>
/// <remarks>
/// The settings belong to the native connection, which the pool keeps open between uses; they are applied the
/// first time it is opened, not on every open (an open is otherwise almost free, and the engine opens one per save).
/// </remarks>
public sealed class SqlitePragmas : DbConnectionInterceptor
{
    /// <summary>What runs when a native connection is first opened; the raw SQLite benchmark uses the same file settings.</summary>
    public const string Pragmas = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000; PRAGMA mmap_size=268435456;";

    private static readonly ConditionalWeakTable<sqlite3, object> Configured = new();

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => EnsureApplied(connection);

    // Microsoft.Data.Sqlite runs commands on the calling thread whichever way they are called.
    public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        EnsureApplied(connection);
        return Task.CompletedTask;
    }

    /// <summary>Applies the settings to a native connection the first time it is opened, through EF Core or not.</summary>
    internal static void EnsureApplied(DbConnection connection)
    {
        if (IsConfigured(connection))
        {
            return;
        }

        using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        command.ExecuteNonQuery();
        MarkConfigured(connection);
    }

    private static bool IsConfigured(DbConnection connection) =>
        connection is SqliteConnection { Handle: { } handle } && Configured.TryGetValue(handle, out _);

    // Only once the settings ran: a native connection whose settings failed gets them again on its next open.
    private static void MarkConfigured(DbConnection connection)
    {
        if (connection is SqliteConnection { Handle: { } handle })
        {
            Configured.AddOrUpdate(handle, Configured);
        }
    }
}
