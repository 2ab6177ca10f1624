using Provisioning.Core.Infrastructure.Vsphere;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Configuration.EnvironmentVariables;
using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.FileProviders;
using Portal.DemoData;
using Portal.Features.Identity;
using Portal.Health;
using Provisioning.Core.Scheduling;

namespace Microsoft.Extensions.DependencyInjection;

internal static class PortalHostingExtensions
{
    /// <summary>
    /// The design card keeps appsettings.json (and its environment variants) at the repository root; the
    /// build copies them next to the binaries. They are read from there, below environment variables and
    /// the command line, whatever the content root is.
    /// </summary>
    public static WebApplicationBuilder AddRepositorySettings(this WebApplicationBuilder builder)
    {
        var sources = builder.Configuration.Sources;
        var position = sources.ToList().FindIndex(s => s is EnvironmentVariablesConfigurationSource { Prefix: null or "" });
        var files = new PhysicalFileProvider(AppContext.BaseDirectory);
        var settings = new[] { "appsettings.json", $"appsettings.{builder.Environment.EnvironmentName}.json" }
            .Select(path => new JsonConfigurationSource { FileProvider = files, Path = path, Optional = true, ReloadOnChange = false })
            .ToList();
        for (var i = settings.Count - 1; i >= 0; i--)
        {
            sources.Insert(position < 0 ? sources.Count : position, settings[i]);
        }

        return builder;
    }

    /// <summary>Demo tenants and releases when <c>Portal:SeedDemoData</c> is true (Development by default).</summary>
    public static WebApplicationBuilder AddDemoData(this WebApplicationBuilder builder)
    {
        if (builder.Configuration.GetValue("Portal:SeedDemoData", false))
        {
            builder.Services.AddSingleton<IStartupSeeder, DemoDataSeeder>();
        }

        return builder;
    }

    /// <summary>The first platform admin from <c>Portal:Bootstrap</c>, made after the demo data (which brings admins of its own).</summary>
    public static WebApplicationBuilder AddBootstrapAdmin(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton(BootstrapAdminSettings.From(builder.Configuration));
        builder.Services.AddSingleton<IStartupSeeder, BootstrapAdminSeeder>();
        return builder;
    }

    /// <summary>
    /// A browser reconnecting during shutdown keeps Kestrel waiting for the full shutdown timeout; a crash-safe
    /// engine loses nothing when stopped sooner, so rolling restarts need not wait 30 s.
    /// </summary>
    public static WebApplicationBuilder AddQuickShutdown(this WebApplicationBuilder builder)
    {
        builder.Services.Configure<HostOptions>(options => options.ShutdownTimeout = TimeSpan.FromSeconds(10));
        return builder;
    }

    public static WebApplicationBuilder AddPortalHealth(this WebApplicationBuilder builder)
    {
        var checks = builder.Services.AddHealthChecks().AddCheck<ReadinessHealthCheck>("ready");
        if (builder.Configuration[$"{VsphereOptions.Section}:{nameof(VsphereOptions.Url)}"] is { Length: > 0 })
        {
            checks.AddCheck<VsphereHealthCheck>(VsphereHealthCheck.Name, HealthStatus.Degraded, ["infrastructure"]);
        }

        return builder;
    }
}
