using System.Diagnostics;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Provisioning.Benchmarks;

/// <summary>Helpers for the real portal hosted in this process (<c>WebApplicationFactory&lt;Program&gt;</c> on a Kestrel port).</summary>
internal static class PortalHost
{
    /// <summary>
    /// WebApplicationFactory finds the portal's content root through MvcTestingAppManifest.json, which it
    /// looks up relative to the working directory: the build puts it next to this assembly.
    /// </summary>
    public static void UseBuildOutputAsWorkingDirectory() => Directory.SetCurrentDirectory(AppContext.BaseDirectory);

    /// <summary>Kestrel's http address as a loopback URL (<c>http://127.0.0.1:PORT</c>), once the server runs.</summary>
    public static Uri LoopbackAddress(WebApplicationFactory<Program> factory) =>
        new(factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
            .First(a => a.StartsWith("http://", StringComparison.Ordinal))
            .Replace("[::]", "127.0.0.1", StringComparison.Ordinal)
            .Replace("localhost", "127.0.0.1", StringComparison.Ordinal));

    /// <summary>Starts <paramref name="factory"/> on a free Kestrel port and waits until <c>/health</c> answers 200; returns the portal's address.</summary>
    public static async Task<Uri> StartAsync(WebApplicationFactory<Program> factory, HttpClient http, CancellationToken cancellationToken)
    {
        factory.UseKestrel(0);
        factory.StartServer();
        var address = LoopbackAddress(factory);
        await WaitHealthyAsync(http, new Uri(address, "/health"), cancellationToken);
        return address;
    }

    /// <summary>Polls <c>/health</c> every 100 ms until it answers 200 (migrated, seeded, scheduler running); 60 s at most.</summary>
    public static async Task WaitHealthyAsync(HttpClient http, Uri health, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var response = await http.GetAsync(health, cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException) when (clock.Elapsed < TimeSpan.FromSeconds(60))
            {
            }

            if (clock.Elapsed > TimeSpan.FromSeconds(60))
            {
                throw new TimeoutException("/health did not answer 200 within 60 s.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), TimeProvider.System, cancellationToken);
        }
    }
}

/// <summary>
/// The portal as in Development (demo tenants, users and releases are seeded) on a fresh data directory.
/// Logging at Warning: the portal's per-request Information logs (EF commands, hosting) are not part of
/// what is measured. <paramref name="configureServices"/> adds a benchmark's probes (EF Core interceptors, a
/// circuit handler) after the portal's own services.
/// </summary>
internal sealed class BenchmarkPortalFactory(
    string dataDirectory, Action<IServiceCollection>? configureServices = null, IReadOnlyDictionary<string, string>? settings = null)
    : WebApplicationFactory<Program>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            builder.UseSetting(key, value);
        }

        builder.UseEnvironment("Development");
        builder.UseSetting("Portal:DataDirectory", dataDirectory);
        builder.UseSetting("Portal:SeedDemoData", "true");
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        // A benchmark is one user asking for thousands of workspaces on purpose: the per-user limits would be all it measured.
        builder.UseSetting("Throttling:Enabled", "false");
        // Its one warning per fresh data directory (keys stored unencrypted) would land among the result tables on stdout.
        builder.UseSetting("Logging:LogLevel:Microsoft.AspNetCore.DataProtection", "Error");
        if (configureServices is not null)
        {
            builder.ConfigureTestServices(configureServices);
        }
    }
}
