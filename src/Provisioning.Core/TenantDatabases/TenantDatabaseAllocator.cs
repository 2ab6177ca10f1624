using System.Data.Common;
using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Provisioning.Core.Persistence;

namespace Provisioning.Core.TenantDatabases;

/// <summary>
/// Allocates one database per workspace on the tenant database server (<see cref="ITenantDatabaseServer"/>).
/// Allocation is idempotent: asking again returns the existing database with its credentials, fetched
/// fresh and unprotected on demand, so a retry never needs them stored anywhere else (seed 001).
/// </summary>
public sealed class TenantDatabaseAllocator(
    IDbContextFactory<ProvisioningDbContext> dbFactory,
    IDataProtectionProvider dataProtection,
    ITenantDatabaseServer server,
    TimeProvider time)
{
    private readonly IDataProtector _protector = dataProtection.CreateProtector("Provisioning.TenantDatabases.v1");

    /// <summary>The database's name, known before it exists.</summary>
    public string DatabaseName(Guid workspaceId) => server.DatabaseName(workspaceId);

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
        // The record first, then the database: a stop in between is completed here by the next try.
        await server.CreateAsync(record.FileName, credentials.Password, cancellationToken);
        return credentials;
    }

    /// <summary>The credentials of an allocated database, or null when there is none.</summary>
    public async Task<TenantDatabaseCredentials?> FindAsync(Guid workspaceId, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var record = await db.TenantDatabases.AsNoTracking().SingleOrDefaultAsync(d => d.WorkspaceId == workspaceId, cancellationToken);
        return record is null ? null : Credentials(record);
    }

    /// <summary>Whether the workspace's database exists on the server.</summary>
    public Task<bool> ExistsAsync(Guid workspaceId, CancellationToken cancellationToken) =>
        server.ExistsAsync(DatabaseName(workspaceId), cancellationToken);

    /// <summary>Applies schema statements; each must be idempotent (CREATE … IF NOT EXISTS).</summary>
    public async Task ApplySchemaAsync(Guid workspaceId, IEnumerable<string> statements, CancellationToken cancellationToken)
    {
        var credentials = await FindAsync(workspaceId, cancellationToken)
            ?? throw new InvalidOperationException($"Workspace {workspaceId} has no tenant database.");
        await using var connection = server.Connect(credentials.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        foreach (var statement in statements)
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = statement;
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<string>> TablesAsync(Guid workspaceId, CancellationToken cancellationToken) =>
        await FindAsync(workspaceId, cancellationToken) is { } credentials
            ? await server.TablesAsync(credentials.DatabaseName, credentials.Password, cancellationToken)
            : [];

    /// <summary>Drops the database and forgets its credentials; dropping what is gone succeeds.</summary>
    public async Task DropAsync(Guid workspaceId, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var record = await db.TenantDatabases.FindAsync([workspaceId], cancellationToken);
        if (record is null)
        {
            return;
        }

        await server.DropAsync(record.FileName, cancellationToken);
        db.TenantDatabases.Remove(record);
        await db.SaveChangesAsync(cancellationToken);
    }

    internal static async Task<IReadOnlyList<string>> ReadNamesAsync(DbCommand command, CancellationToken cancellationToken)
    {
        var names = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            names.Add(reader.GetString(0));
        }

        return names;
    }

    private TenantDatabaseCredentials Credentials(TenantDatabase record)
    {
        var password = _protector.Unprotect(record.ProtectedPassword);
        return new TenantDatabaseCredentials(record.FileName, server.ConnectionString(record.FileName, password), password);
    }
}
