using System.Net.Sockets;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Provisioning.Core.Persistence;

/// <summary>The portal's database could not be reached at start: the message names the server and what failed, in one line.</summary>
public sealed class DatabaseUnavailableException(string message, Exception innerException) : Exception(message, innerException);

/// <summary>
/// Which database the portal runs on (<c>Database:Provider</c>), and the checks that turn a wrong
/// <c>ConnectionStrings:Portal</c> into one clear line instead of a stack trace.
/// </summary>
public sealed class PortalDatabase(DatabaseProvider provider, string connectionString)
{
    public DatabaseProvider Provider => provider;

    /// <summary>The checked connection string (on SQLite, the data directory's <c>portal.db</c> when none is set).</summary>
    public string ConnectionString => connectionString;

    /// <summary>Opens one connection (PostgreSQL); throws <see cref="DatabaseUnavailableException"/> saying why it could not.</summary>
    public async Task CheckReachableAsync(IDbContextFactory<ProvisioningDbContext> factory, CancellationToken cancellationToken)
    {
        if (provider != DatabaseProvider.Postgres)
        {
            return;
        }

        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        var connection = db.Database.GetDbConnection();
        var target = new NpgsqlConnectionStringBuilder(connection.ConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            await connection.CloseAsync();
        }
        catch (Exception e) when (e is NpgsqlException or SocketException or TimeoutException)
        {
            throw new DatabaseUnavailableException(
                $"PostgreSQL at {target.Host}:{target.Port} (database '{target.Database}', user '{target.Username}') could not be reached: {Reason(e)}.", e);
        }
    }

    internal static string CheckPostgresConnectionString(string? connectionString, string setting = "ConnectionStrings:Portal")
    {
        const string Expected = "an Npgsql connection string (Host=db.example;Database=portal;Username=portal;Password=…)";
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidConfigurationException($"Database:Provider is Postgres, so {setting} must be {Expected}.");
        }

        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException e)
        {
            throw new InvalidConfigurationException($"{setting} is not {Expected} ({e.Message}).", e);
        }

        return string.IsNullOrWhiteSpace(builder.Host)
            ? throw new InvalidConfigurationException($"{setting} names no Host; it must be {Expected}.")
            : connectionString;
    }

    internal static string CheckSqliteConnectionString(string connectionString)
    {
        try
        {
            _ = new SqliteConnectionStringBuilder(connectionString);
            return connectionString;
        }
        catch (ArgumentException e)
        {
            throw new InvalidConfigurationException(
                $"ConnectionStrings:Portal is not a SQLite connection string ({e.Message}); for PostgreSQL, set Database:Provider to Postgres.", e);
        }
    }

    private static string Reason(Exception e) => e switch
    {
        PostgresException pg => $"{pg.MessageText} ({pg.SqlState})",
        { InnerException: SocketException socket } => socket.SocketErrorCode switch
        {
            SocketError.ConnectionRefused => "connection refused (is the server running and listening on that port?)",
            SocketError.HostNotFound or SocketError.NoData => "the host name does not resolve",
            SocketError.TimedOut => "no answer (timed out)",
            _ => socket.Message,
        },
        SocketException socket => socket.Message,
        { InnerException: TimeoutException } or TimeoutException => "no answer (timed out)",
        _ => e.Message,
    };
}
