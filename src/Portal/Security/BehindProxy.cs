using System.Net;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace Portal.Security;

/// <summary>
/// Running behind a TLS-terminating proxy (the nginx of scripts/cluster.sh, a load balancer): <c>X-Forwarded-For</c>
/// and <c>X-Forwarded-Proto</c> are believed only from the addresses in <c>Portal:ForwardedHeaders:KnownProxies</c>
/// (none by default: then nobody's are, not even loopback's). Once a request is known to have arrived over HTTPS,
/// cookies are marked <c>Secure</c> (Identity's policy follows the request) and, outside Development,
/// <c>Strict-Transport-Security</c> is sent.
/// </summary>
public static class BehindProxy
{
    public const string KnownProxiesKey = "Portal:ForwardedHeaders:KnownProxies";

    public static WebApplicationBuilder AddBehindProxy(this WebApplicationBuilder builder)
    {
        var proxies = builder.Configuration.GetSection(KnownProxiesKey).Get<string[]>() ?? [];
        var addresses = new List<IPAddress>();
        foreach (var proxy in proxies)
        {
            addresses.Add(IPAddress.TryParse(proxy, out var address)
                ? address
                : throw new Provisioning.Core.InvalidConfigurationException($"{KnownProxiesKey} must list IP addresses; '{proxy}' is not one."));
        }

        builder.Services.Configure<ForwardedHeadersOptions>(options =>
        {
            options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            options.KnownProxies.Clear();
            options.KnownIPNetworks.Clear();
            foreach (var address in addresses)
            {
                options.KnownProxies.Add(address);
            }
        });
        return builder;
    }

    /// <summary>First in the pipeline, so everything after sees the client's address and scheme.</summary>
    public static WebApplication UseBehindProxy(this WebApplication app)
    {
        // With no proxy listed the middleware is left out: given empty lists, it would believe everyone.
        if (app.Services.GetRequiredService<IOptions<ForwardedHeadersOptions>>().Value.KnownProxies.Count > 0)
        {
            app.UseForwardedHeaders();
        }

        if (!app.Environment.IsDevelopment())
        {
            app.UseHsts();
        }

        return app;
    }
}
