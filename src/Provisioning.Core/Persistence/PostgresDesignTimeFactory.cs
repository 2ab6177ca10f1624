using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Provisioning.Core.Persistence;

/// <summary>Lets <c>dotnet ef</c> build the PostgreSQL context without starting the portal (or a server: no connection is opened).</summary>
internal sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresProvisioningDbContext>
{
    public PostgresProvisioningDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresProvisioningDbContext>().UseNpgsql("Host=localhost;Database=portal_design_time").Options);
}
