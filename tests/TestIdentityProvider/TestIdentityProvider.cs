using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using OpenIddict.Server;

namespace TestIdentityProvider;

/// <summary>
/// A real OpenID Connect provider (OpenIddict) on 127.0.0.1 over plain HTTP, started in-process by tests: authorization
/// code flow with PKCE for one confidential client, a plain sign-in form, userinfo and end-session.
/// </summary>
/// <remarks>
/// From a file whose namespace is not <c>TestIdentityProvider</c>, the bare name means the namespace; alias the class:
/// <c>using TestIdp = TestIdentityProvider.TestIdentityProvider;</c>.
/// </remarks>
public sealed class TestIdentityProvider : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly IdentityProviderState _state;

    private TestIdentityProvider(WebApplication app, IdentityProviderState state, Uri authority)
    {
        _app = app;
        _state = state;
        Authority = authority;
    }

    /// <summary>The issuer, e.g. <c>http://127.0.0.1:54321/</c>; discovery is at <c>.well-known/openid-configuration</c>.</summary>
    public Uri Authority { get; }

    /// <summary>How many successful token responses the provider gave, so a test can tell the flow really ran.</summary>
    public int TokensIssued => _state.TokensIssued;

    /// <summary>Starts the provider and returns once it accepts requests.</summary>
    public static async Task<TestIdentityProvider> StartAsync(TestIdentityProviderOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var state = new IdentityProviderState(options);
        var issuer = new IssuerHolder();

        // The empty builder reads no appsettings.json or environment: run inside a test, the current folder is the test's.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(TestIdentityProvider).Assembly.GetName().Name,
        });
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, options.Port));
        builder.Logging.AddSimpleConsole(console => console.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddRouting();
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(5));
        builder.Services.AddTestIdentityProviderServer(state);
        // The port is known only once Kestrel listens; OpenIddict reads its options at the first request, after that.
        builder.Services.AddOptions<OpenIddictServerOptions>().Configure(server => server.Issuer = issuer.Authority);

        var app = builder.Build();
        app.UseAuthentication();
        app.MapConnectEndpoints();
        app.MapLoginPage();

        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
            issuer.Authority = new Uri(address.TrimEnd('/') + "/");
            var configured = app.Services.GetRequiredService<IOptionsMonitor<OpenIddictServerOptions>>().CurrentValue.Issuer;
            if (configured != issuer.Authority)
            {
                throw new InvalidOperationException($"OpenIddict's issuer is '{configured}', not the address '{issuer.Authority}'.");
            }

            return new TestIdentityProvider(app, state, issuer.Authority);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Lets <paramref name="user"/> sign in from now on (replacing a user with the same email).</summary>
    public void AddUser(TestIdentityUser user) => _state.AddUser(user);

    /// <summary>Registers another callback of the client, e.g. the portal's <c>/signin-oidc</c> once its port is known.</summary>
    public Task AddRedirectUriAsync(Uri redirectUri)
    {
        _state.AddRedirectUri(redirectUri);
        return Task.CompletedTask;
    }

    /// <summary>Registers another place end-session may return to, e.g. the portal's <c>/signout-callback-oidc</c>.</summary>
    public Task AddPostLogoutRedirectUriAsync(Uri postLogoutRedirectUri)
    {
        _state.AddPostLogoutRedirectUri(postLogoutRedirectUri);
        return Task.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private sealed class IssuerHolder
    {
        public Uri? Authority { get; set; }
    }
}
