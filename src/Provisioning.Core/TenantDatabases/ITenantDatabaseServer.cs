using System.Data.Common;

namespace Provisioning.Core.TenantDatabases;

/// <summary>
/// Where workspaces' own databases live: SQLite files in the data directory (<see cref="SqliteTenantDatabaseServer"/>,
/// the embedded default) or real PostgreSQL databases, each with a role of its own (<see cref="PostgresTenantDatabaseServer"/>).
/// Chosen once from <c>Database:Provider</c>. Every operation is idempotent.
/// </summary>
public interface ITenantDatabaseServer
{
    /// <summary>The database's name, known before it exists (the idempotency key of its creation).</summary>
    string DatabaseName(Guid workspaceId);

    /// <summary>Makes the database (and its login) exist with this password; a half-made one is completed.</summary>
    Task CreateAsync(string name, string password, CancellationToken cancellationToken);

    /// <summary>Whether the database exists on the server, whatever the portal's records say.</summary>
    Task<bool> ExistsAsync(string name, CancellationToken cancellationToken);

    /// <summary>A connection string that logs in as the database's own user.</summary>
    string ConnectionString(string name, string password);

    DbConnection Connect(string connectionString);

    /// <summary>Names of the tables the database holds.</summary>
    Task<IReadOnlyList<string>> TablesAsync(string name, string password, CancellationToken cancellationToken);

    /// <summary>Drops the database (and its login); dropping what is gone succeeds.</summary>
    Task DropAsync(string name, CancellationToken cancellationToken);
}
