using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Provisioning.Core.TenantDatabases;

/// <summary>Tenant databases as SQLite files under <c>&lt;DataDirectory&gt;/tenant-databases</c>: the one node of the embedded default.</summary>
public sealed class SqliteTenantDatabaseServer(DataDirectory dataDirectory) : ITenantDatabaseServer
{
    public string DatabaseName(Guid workspaceId) => $"{workspaceId:N}.db";

    public async Task CreateAsync(string name, string password, CancellationToken cancellationToken)
    {
        // Opening creates the file when missing, so a half-finished earlier allocation is completed here.
        await using var connection = new SqliteConnection(ConnectionString(name, password));
        await connection.OpenAsync(cancellationToken);
    }

    public Task<bool> ExistsAsync(string name, CancellationToken cancellationToken) => Task.FromResult(File.Exists(PathOf(name)));

    public string ConnectionString(string name, string password) =>
        new SqliteConnectionStringBuilder { DataSource = PathOf(name), Pooling = false }.ToString();

    public DbConnection Connect(string connectionString) => new SqliteConnection(connectionString);

    public async Task<IReadOnlyList<string>> TablesAsync(string name, string password, CancellationToken cancellationToken)
    {
        await using var connection = new SqliteConnection(ConnectionString(name, password));
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name";
        return await TenantDatabaseAllocator.ReadNamesAsync(command, cancellationToken);
    }

    public Task DropAsync(string name, CancellationToken cancellationToken)
    {
        var path = PathOf(name);
        SqliteConnection.ClearAllPools();
        foreach (var file in new[] { path, path + "-wal", path + "-shm" })
        {
            File.Delete(file);
        }

        return Task.CompletedTask;
    }

    private string PathOf(string name) => Path.Combine(dataDirectory.TenantDatabases, name);
}
