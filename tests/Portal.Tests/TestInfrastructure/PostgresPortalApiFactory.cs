using Microsoft.AspNetCore.Hosting;

namespace Portal.Tests.TestInfrastructure;

/// <summary><see cref="PortalApiFactory"/> on a database of its own on the test run's PostgreSQL server (<see cref="PostgresServer"/>).</summary>
public sealed class PostgresPortalApiFactory : PortalApiFactory
{
    // The web host is configured synchronously; the database is made before it.
    private readonly string _database = PostgresServer.CreateDatabaseAsync().GetAwaiter().GetResult();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Database:Provider", "Postgres");
        builder.UseSetting("ConnectionStrings:Portal", _database);
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await PostgresServer.DropDatabaseAsync(_database);
    }
}
