using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Provisioning.Core.Persistence;

namespace Provisioning.Core.TenantDatabases;

/// <summary>
/// Allocates one database per workspace (a SQLite file under <c>&lt;DataDirectory&gt;/tenant-databases</c>).
/// Allocation is idempotent: asking again returns the existing database with its credentials, fetched
/// fresh and unprotected on demand, so a retry never needs them stored anywhere else (seed 001).
/// </summary>
public sealed class TenantDatabaseAllocator(
    IDbContextFactory<ProvisioningDbContext> dbFactory,
    IDataProtectionProvider dataProtection,
    DataDirectory dataDirectory,
    TimeProvider time)
{
    private readonly IDataProtector _protector = dataProtection.CreateProtector("Provisioning.TenantDatabases.v1");

    public async Task<TenantDatabaseCredentials> AllocateAsync(Guid workspaceId, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var record = await db.TenantDatabases.FindAsync([workspaceId], cancellationToken);
        if (record is null)
        {
            var password = Convert.ToBase64String(RandomNumberGenerator.GetBytes(24));
            record = new TenantDatabase(workspaceId, DatabaseName(workspaceId), _protector.Protect(password), time.GetUtcNow());
            db.TenantDatabases.Add(record);
            await db.SaveChangesAsync(cancellationToken);
        }

        var credentials = Credentials(record);
        // Opening creates the file when missing, so a half-finished earlier allocation is completed here.
        await using var connection = new SqliteConnection(credentials.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        return credentials;
    }

    /// <summary>The credentials of an allocated database, or null when there is none.</summary>
    public async Task<TenantDatabaseCredentials?> FindAsync(Guid workspaceId, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var record = await db.TenantDatabases.AsNoTracking().SingleOrDefaultAsync(d => d.WorkspaceId == workspaceId, cancellationToken);
        return record is null ? null : Credentials(record);
    }

    /// <summary>Applies schema statements; each must be idempotent (CREATE … IF NOT EXISTS).</summary>
    public async Task ApplySchemaAsync(Guid workspaceId, IEnumerable<string> statements, CancellationToken cancellationToken)
    {
        var credentials = await FindAsync(workspaceId, cancellationToken)
            ?? throw new InvalidOperationException($"Workspace {workspaceId} has no tenant database.");
        await using var connection = new SqliteConnection(credentials.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        foreach (var statement in statements)
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = statement;
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<string>> TablesAsync(Guid workspaceId, CancellationToken cancellationToken)
    {
        var credentials = await FindAsync(workspaceId, cancellationToken);
        if (credentials is null)
        {
            return [];
        }

        await using var connection = new SqliteConnection(credentials.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name";
        var tables = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            tables.Add(reader.GetString(0));
        }

        return tables;
    }

    /// <summary>Drops the database and forgets its credentials; dropping what is gone succeeds.</summary>
    public async Task DropAsync(Guid workspaceId, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var record = await db.TenantDatabases.FindAsync([workspaceId], cancellationToken);
        if (record is null)
        {
            return;
        }

        var path = PathOf(record);
        SqliteConnection.ClearAllPools();
        foreach (var file in new[] { path, path + "-wal", path + "-shm" })
        {
            File.Delete(file);
        }

        db.TenantDatabases.Remove(record);
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>The database's name, known before it exists.</summary>
    public static string DatabaseName(Guid workspaceId) => $"{workspaceId:N}.db";

    private string PathOf(TenantDatabase record) => Path.Combine(dataDirectory.TenantDatabases, record.FileName);

    private TenantDatabaseCredentials Credentials(TenantDatabase record)
    {
        var password = _protector.Unprotect(record.ProtectedPassword);
        var connectionString = new SqliteConnectionStringBuilder { DataSource = PathOf(record), Pooling = false }.ToString();
        return new TenantDatabaseCredentials(record.FileName, connectionString, password);
    }
}
