using System.Data.Common;
using Npgsql;

namespace Provisioning.Core.TenantDatabases;

/// <summary>
/// Tenant databases as real PostgreSQL databases, each owned by a login role of its own, on
/// <c>ConnectionStrings:TenantServer</c> when set, else on the portal's own server (whose user must then be allowed to
/// create roles and databases). Creating and dropping take a per-database advisory lock, so two nodes never race on
/// one; <c>CREATE DATABASE</c> cannot run in a transaction, so each step checks what already exists instead.
/// </summary>
public sealed class PostgresTenantDatabaseServer(string serverConnectionString) : ITenantDatabaseServer
{
    public string DatabaseName(Guid workspaceId) => $"ws_{workspaceId:N}";

    public async Task CreateAsync(string name, string password, CancellationToken cancellationToken)
    {
        await using var server = await OpenServerAsync(cancellationToken);
        await using var locked = await LockAsync(server, name, cancellationToken);
        var role = Quote(name);
        if (await ScalarAsync(server, "SELECT count(*) FROM pg_roles WHERE rolname = $1", name, cancellationToken) == 0)
        {
            await ExecuteAsync(server, $"CREATE ROLE {role} LOGIN PASSWORD {Literal(password)}", cancellationToken);
        }
        else
        {
            // A half-made allocation: the role is there, with the password the portal holds.
            await ExecuteAsync(server, $"ALTER ROLE {role} LOGIN PASSWORD {Literal(password)}", cancellationToken);
        }

        if (await ScalarAsync(server, "SELECT count(*) FROM pg_database WHERE datname = $1", name, cancellationToken) == 0)
        {
            await ExecuteAsync(server, $"CREATE DATABASE {role} OWNER {role}", cancellationToken);
        }
    }

    public async Task<bool> ExistsAsync(string name, CancellationToken cancellationToken)
    {
        await using var server = await OpenServerAsync(cancellationToken);
        return await ScalarAsync(server, "SELECT count(*) FROM pg_database WHERE datname = $1", name, cancellationToken) > 0;
    }

    public string ConnectionString(string name, string password) =>
        new NpgsqlConnectionStringBuilder(serverConnectionString) { Database = name, Username = name, Password = password, Pooling = false }.ConnectionString;

    public DbConnection Connect(string connectionString) => new NpgsqlConnection(connectionString);

    public async Task<IReadOnlyList<string>> TablesAsync(string name, string password, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(ConnectionString(name, password));
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename", connection);
        return await TenantDatabaseAllocator.ReadNamesAsync(command, cancellationToken);
    }

    public async Task DropAsync(string name, CancellationToken cancellationToken)
    {
        await using var server = await OpenServerAsync(cancellationToken);
        await using var locked = await LockAsync(server, name, cancellationToken);
        var quoted = Quote(name);
        await ExecuteAsync(server, $"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)", cancellationToken);
        await ExecuteAsync(server, $"DROP ROLE IF EXISTS {quoted}", cancellationToken);
    }

    private async Task<NpgsqlConnection> OpenServerAsync(CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnection(serverConnectionString);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }

    private static async Task<IAsyncDisposable> LockAsync(NpgsqlConnection server, string name, CancellationToken cancellationToken)
    {
        await using (var command = new NpgsqlCommand("SELECT pg_advisory_lock(hashtextextended($1, 0))", server))
        {
            command.Parameters.AddWithValue(name);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        return new Unlock(server, name);
    }

    private static async Task<long> ScalarAsync(NpgsqlConnection server, string sql, string value, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, server);
        command.Parameters.AddWithValue(value);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private static async Task ExecuteAsync(NpgsqlConnection server, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, server);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    // Names are ws_ and 32 hex digits, and the password base64; quoted all the same, as DDL takes no parameters.
    private static string Quote(string name) => $"\"{name.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";

    private static string Literal(string value) => $"'{value.Replace("'", "''", StringComparison.Ordinal)}'";

    private sealed class Unlock(NpgsqlConnection server, string name) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await using var command = new NpgsqlCommand("SELECT pg_advisory_unlock(hashtextextended($1, 0))", server);
            command.Parameters.AddWithValue(name);
            await command.ExecuteNonQueryAsync();
        }
    }
}
