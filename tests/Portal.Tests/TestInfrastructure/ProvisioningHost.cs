using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Portal.DemoData;
using Provisioning.Core.Persistence;
using Provisioning.Core.Scheduling;

namespace Portal.Tests.TestInfrastructure;

/// <summary>
/// The provisioning services as a host of their own, the real Quartz scheduler included, with the demo releases: for
/// tests where attempts run as the portal runs them (unlike <see cref="ProvisioningHarness"/>, which drives the engine).
/// </summary>
public static class ProvisioningHost
{
    /// <param name="database">On PostgreSQL, the connection string of the test's database (<see cref="PostgresServer"/>).</param>
    public static IHost Build(
        string dataDirectory, DatabaseProvider provider, string? database, IDictionary<string, string?>? settings = null, ILoggerProvider? logs = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            DisableDefaults = true,
            ContentRootPath = dataDirectory,
            EnvironmentName = "Test",
        });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Portal:DataDirectory"] = dataDirectory,
            ["Simulator:ReadinessDelay"] = "00:00:00",
            ["Database:Provider"] = provider.ToString(),
            ["ConnectionStrings:Portal"] = database,
        });
        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }

        if (logs is not null)
        {
            builder.Logging.AddProvider(logs);
        }

        builder.AddProvisioning();
        builder.Services.AddSingleton<IStartupSeeder, DemoDataSeeder>();
        return builder.Build();
    }
}
