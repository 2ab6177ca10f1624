using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Provisioning.Core.Persistence;

/// <summary>The SQLite flavour of the portal database (the embedded default).</summary>
/// <remarks>
/// New migration: <c>dotnet ef migrations add NAME --project src/Provisioning.Core
/// --context SqliteProvisioningDbContext --output-dir Persistence/Migrations/Sqlite</c>
/// </remarks>
public sealed class SqliteProvisioningDbContext(DbContextOptions<SqliteProvisioningDbContext> options)
    : ProvisioningDbContext(options)
{
    private const int SqliteUniqueConstraint = 2067;
    private const int SqlitePrimaryKeyConstraint = 1555;

    // Change detection and the consistency checks run before the gate; only the write itself queues.
    protected override Task<int> CommitAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken) =>
        SqliteWriteGate.RunAsync(() => base.CommitAsync(acceptAllChangesOnSuccess, cancellationToken), cancellationToken);

    public override Task<T> InWriteTransactionAsync<T>(Func<Task<T>> work, CancellationToken cancellationToken) =>
        SqliteWriteGate.RunAsync(() => base.InWriteTransactionAsync(work, cancellationToken), cancellationToken);

    public override bool IsUniqueViolation(DbUpdateException exception) =>
        exception.InnerException is SqliteException { SqliteExtendedErrorCode: SqliteUniqueConstraint or SqlitePrimaryKeyConstraint };

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // SQLite cannot order or compare DateTimeOffset stored as text; store UTC ticks instead.
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<DateTimeOffsetToBinaryConverter>();
    }
}
