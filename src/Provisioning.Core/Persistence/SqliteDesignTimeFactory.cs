using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Provisioning.Core.Persistence;

/// <summary>Lets <c>dotnet ef</c> build the SQLite context without starting the portal.</summary>
internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteProvisioningDbContext>
{
    public SqliteProvisioningDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteProvisioningDbContext>().UseSqlite("Data Source=design-time.db").Options);
}
