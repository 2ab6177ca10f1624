using System.Diagnostics;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
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
