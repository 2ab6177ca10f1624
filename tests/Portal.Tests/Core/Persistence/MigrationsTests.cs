using Microsoft.EntityFrameworkCore;
using Provisioning.Core.Persistence;

namespace Portal.Tests.Core.Persistence;

/// <summary>Each provider's migrations describe the model as it is: a change to an entity comes with a migration for both.</summary>
public sealed class MigrationsTests
{
    [Fact]
    public void SqliteMigrations_MatchTheModel()
    {
        using var db = new SqliteDesignTimeFactory().CreateDbContext([]);

        db.Database.HasPendingModelChanges().ShouldBeFalse(
            "The model changed without a SQLite migration: dotnet ef migrations add NAME --project src/Provisioning.Core --context SqliteProvisioningDbContext --output-dir Persistence/Migrations/Sqlite");
    }

    [Fact]
    public void PostgresMigrations_MatchTheModel()
    {
        using var db = new PostgresDesignTimeFactory().CreateDbContext([]);

        db.Database.HasPendingModelChanges().ShouldBeFalse(
            "The model changed without a PostgreSQL migration: dotnet ef migrations add NAME --project src/Provisioning.Core --context PostgresProvisioningDbContext --output-dir Persistence/Migrations/Postgres");
    }
}
