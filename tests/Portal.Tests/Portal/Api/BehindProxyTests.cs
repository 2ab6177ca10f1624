using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Portal.Api;

/// <summary>
/// Issue 18 behind a TLS-terminating proxy, in Production: the scheme a proxy forwards is believed only from the
/// proxies configured, and then the sign-in cookie is Secure and HSTS is sent; from anyone else the same header changes
/// nothing.
/// </summary>
public sealed class BehindProxyTests
{
    [Fact]
    public async Task FromAConfiguredProxy_ForwardedHttps_GivesSecureCookiesAndHsts_AndPlainHttpDoesNot()
    {
        await using var portal = new ProductionPortal(knownProxy: "127.0.0.1");

        var (hsts, cookie) = await SignInAsync(portal, forwardedProto: "https");

        hsts.ShouldNotBeNull().ShouldContain("max-age=");
        cookie.ShouldNotBeNull().ToLowerInvariant().ShouldContain("; secure");

        var (plainHsts, plainCookie) = await SignInAsync(portal, forwardedProto: null);
        plainHsts.ShouldBeNull("plain HTTP gets no HSTS");
        plainCookie.ShouldNotBeNull().ToLowerInvariant().ShouldNotContain("; secure");
    }

    [Fact]
    public async Task WithNoProxyConfigured_AForwardedSchemeIsIgnored_EvenFromLoopback()
    {
        await using var portal = new ProductionPortal(knownProxy: null);

        var (hsts, cookie) = await SignInAsync(portal, forwardedProto: "https");

        hsts.ShouldBeNull("the forwarded scheme came from no configured proxy");
        cookie.ShouldNotBeNull().ToLowerInvariant().ShouldNotContain("; secure");
    }

    private static async Task<(string? Hsts, string? Cookie)> SignInAsync(PortalApiFactory portal, string? forwardedProto)
    {
        using var client = portal.Anonymous();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/auth/login?useCookies=true")
        {
            Content = JsonContent.Create(new { email = PortalApiFactory.AcmeMember, password = PortalApiFactory.Password }),
        };
        // A public name: ASP.NET Core never sends HSTS to localhost or loopback addresses.
        request.Headers.Host = "portal.example.test";
        if (forwardedProto is not null)
        {
            request.Headers.Add("X-Forwarded-Proto", forwardedProto);
        }

        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        return (response.Headers.TryGetValues("Strict-Transport-Security", out var hsts) ? hsts.Single() : null,
            response.Headers.TryGetValues("Set-Cookie", out var cookies) ? cookies.FirstOrDefault(c => c.StartsWith(".AspNetCore.Identity.Application=", StringComparison.Ordinal)) : null);
    }

    private sealed class ProductionPortal(string? knownProxy) : PortalApiFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseEnvironment("Production");
            if (knownProxy is not null)
            {
                builder.UseSetting("Portal:ForwardedHeaders:KnownProxies:0", knownProxy);
            }
        }
    }
}
