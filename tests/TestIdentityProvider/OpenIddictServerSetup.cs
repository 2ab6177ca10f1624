using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace TestIdentityProvider;

/// <summary>
/// OpenIddict's server in degraded mode: no database; the client, its URIs and the users live in
/// <see cref="IdentityProviderState"/>, and the handlers below do the checks OpenIddict's stores would do.
/// (The EF Core stores were the other way; OpenIddict.EntityFrameworkCore 7.9.0 needs EF Core 10.0.15, above the repository's.)
/// </summary>
internal static class OpenIddictServerSetup
{
    public const string AuthorizationPath = "/connect/authorize";
    public const string TokenPath = "/connect/token";
    public const string UserInfoPath = "/connect/userinfo";
    public const string EndSessionPath = "/connect/endsession";

    public static IServiceCollection AddTestIdentityProviderServer(this IServiceCollection services, IdentityProviderState state)
    {
        services.AddSingleton(state);

        // The provider's own sign-in, separate from the tokens it issues. Browsers send cookies to every port of a host,
        // and the portal runs on 127.0.0.1 too: so a name of its own, never ASP.NET's default .AspNetCore.Cookies.
        services.AddAuthentication(IdentityProviderSession.Scheme)
            .AddCookie(IdentityProviderSession.Scheme, options =>
            {
                options.Cookie.Name = IdentityProviderSession.CookieName;
                options.Cookie.HttpOnly = true;
                options.Cookie.SameSite = SameSiteMode.Lax;
                options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                options.LoginPath = LoginPage.Path;
            });
        // Keys live as long as the provider: nothing written to disk, nothing logged about where keys are kept.
        services.AddDataProtection().UseEphemeralDataProtectionProvider();

        services.AddOpenIddict().AddServer(options =>
        {
            // Discovery (.well-known/openid-configuration) and JWKS (.well-known/jwks) keep OpenIddict's default paths.
            options.SetAuthorizationEndpointUris(AuthorizationPath.TrimStart('/'))
                .SetTokenEndpointUris(TokenPath.TrimStart('/'))
                .SetUserInfoEndpointUris(UserInfoPath.TrimStart('/'))
                .SetEndSessionEndpointUris(EndSessionPath.TrimStart('/'));

            options.AllowAuthorizationCodeFlow()
                .AllowRefreshTokenFlow()
                .RequireProofKeyForCodeExchange();

            // Advertised in discovery; any other scope a test asks for (e.g. "roles") is accepted as well.
            options.RegisterScopes(Scopes.OpenId, Scopes.Profile, Scopes.Email, Scopes.OfflineAccess, Scopes.Roles);
            options.DisableScopeValidation();

            // Keys made at start and gone with the provider; access tokens stay readable JWTs.
            options.AddEphemeralEncryptionKey()
                .AddEphemeralSigningKey()
                .DisableAccessTokenEncryption();

            options.RegisterClaims(Claims.Email, Claims.EmailVerified, Claims.Name);

            // Only what is checked here: the secret methods (OpenIddict would also offer private_key_jwt) and PKCE with S256
            // (it would also take plain).
            options.Configure(server =>
            {
                server.ClientAuthenticationMethods.Clear();
                server.ClientAuthenticationMethods.Add(ClientAuthenticationMethods.ClientSecretBasic);
                server.ClientAuthenticationMethods.Add(ClientAuthenticationMethods.ClientSecretPost);
                server.CodeChallengeMethods.Remove(CodeChallengeMethods.Plain);
            });

            options.EnableDegradedMode();
            options.UseAspNetCore()
                .DisableTransportSecurityRequirement()
                .EnableAuthorizationEndpointPassthrough()
                .EnableTokenEndpointPassthrough()
                .EnableUserInfoEndpointPassthrough()
                .EnableEndSessionEndpointPassthrough();

            options.AddEventHandler<ValidateAuthorizationRequestContext>(handler => handler.UseInlineHandler(context =>
            {
                // Rejected here, the error is shown at the provider: an unregistered redirect_uri is never followed.
                if (!string.Equals(context.ClientId, state.ClientId, StringComparison.Ordinal))
                {
                    context.Reject(Errors.InvalidClient, $"Unknown client_id '{context.ClientId}'.");
                }
                else if (!state.IsRedirectUri(context.RedirectUri))
                {
                    context.Reject(Errors.InvalidRequest, $"The redirect_uri '{context.RedirectUri}' is not registered for this client.");
                }

                return default;
            }));

            options.AddEventHandler<ValidateTokenRequestContext>(handler => handler.UseInlineHandler(context =>
            {
                // A confidential client: client_secret_post and client_secret_basic both arrive here as request parameters.
                if (!state.IsClient(context.Request.ClientId, context.Request.ClientSecret))
                {
                    context.Reject(Errors.InvalidClient, "The client_id or client_secret is wrong.");
                }

                return default;
            }));

            options.AddEventHandler<ValidateEndSessionRequestContext>(handler => handler.UseInlineHandler(context =>
            {
                if (!string.IsNullOrEmpty(context.PostLogoutRedirectUri) && !state.IsPostLogoutRedirectUri(context.PostLogoutRedirectUri))
                {
                    context.Reject(Errors.InvalidRequest, $"The post_logout_redirect_uri '{context.PostLogoutRedirectUri}' is not registered.");
                }

                return default;
            }));

            options.AddEventHandler<ApplyTokenResponseContext>(handler => handler.UseInlineHandler(context =>
            {
                if (context.Error is null && !string.IsNullOrEmpty(context.Response.AccessToken))
                {
                    state.CountTokenResponse();
                }

                return default;
            }));
        });

        return services;
    }
}
