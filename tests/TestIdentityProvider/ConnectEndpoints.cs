using System.Security.Claims;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Primitives;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace TestIdentityProvider;

/// <summary>
/// The endpoints OpenIddict passes through once it has validated the request: they decide who the user is and
/// hand OpenIddict the principal to issue tokens for.
/// </summary>
internal static class ConnectEndpoints
{
    private const string OpenIddictScheme = OpenIddictServerAspNetCoreDefaults.AuthenticationScheme;

    public static IEndpointRouteBuilder MapConnectEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapMethods(OpenIddictServerSetup.AuthorizationPath, [HttpMethods.Get, HttpMethods.Post], AuthorizeAsync);
        endpoints.MapPost(OpenIddictServerSetup.TokenPath, ExchangeAsync);
        endpoints.MapMethods(OpenIddictServerSetup.UserInfoPath, [HttpMethods.Get, HttpMethods.Post], UserInfoAsync);
        // As a Delegate, so its IResult is written (a bare HttpContext handler would bind as a RequestDelegate).
        endpoints.MapMethods(OpenIddictServerSetup.EndSessionPath, [HttpMethods.Get, HttpMethods.Post], (Delegate)EndSessionAsync);
        return endpoints;
    }

    private static async Task<IResult> AuthorizeAsync(HttpContext http, IdentityProviderState state)
    {
        var request = http.GetOpenIddictServerRequest()
            ?? throw new InvalidOperationException("OpenIddict did not pass an authorization request through.");

        var session = await http.AuthenticateAsync(IdentityProviderSession.Scheme);
        var user = session.Succeeded ? state.FindBySubject(session.Principal.FindFirstValue(Claims.Subject)) : null;
        if (user is null || request.HasPromptValue(PromptValues.Login))
        {
            if (request.HasPromptValue(PromptValues.None))
            {
                return Forbid(Errors.LoginRequired, "The user is not signed in at the identity provider.");
            }

            return Results.Redirect(LoginPage.UrlFor(AuthorizationUrlWithoutLoginPrompt(http.Request)));
        }

        var principal = UserClaims.CreatePrincipal(user);
        principal.SetScopes(request.GetScopes());
        // No consent screen: the one client is trusted.
        return Results.SignIn(principal, authenticationScheme: OpenIddictScheme);
    }

    private static async Task<IResult> ExchangeAsync(HttpContext http, IdentityProviderState state)
    {
        var request = http.GetOpenIddictServerRequest()
            ?? throw new InvalidOperationException("OpenIddict did not pass a token request through.");

        // OpenIddict has already checked the client, the code or refresh token, the redirect_uri and the PKCE verifier.
        var result = await http.AuthenticateAsync(OpenIddictScheme);
        if (!result.Succeeded)
        {
            return Forbid(Errors.InvalidGrant, "The grant is not valid.");
        }

        if (request.IsAuthorizationCodeGrantType() && !state.TryRedeemCode(request.Code!))
        {
            return Forbid(Errors.InvalidGrant, "The authorization code has already been redeemed.");
        }

        // Claims are read again, so a user changed since sign-in is seen; OpenIddict restores scopes and nonce from the grant.
        var user = state.FindBySubject(result.Principal.GetClaim(Claims.Subject));
        return user is null
            ? Forbid(Errors.InvalidGrant, "The user no longer exists.")
            : Results.SignIn(UserClaims.CreatePrincipal(user), authenticationScheme: OpenIddictScheme);
    }

    private static async Task<IResult> UserInfoAsync(HttpContext http, IdentityProviderState state)
    {
        // The access token has been validated by OpenIddict; its principal names the user.
        var result = await http.AuthenticateAsync(OpenIddictScheme);
        var user = result.Succeeded ? state.FindBySubject(result.Principal.GetClaim(Claims.Subject)) : null;
        if (user is null)
        {
            return Results.Challenge(
                new AuthenticationProperties(new Dictionary<string, string?>
                {
                    [OpenIddictServerAspNetCoreConstants.Properties.Error] = Errors.InvalidToken,
                    [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = "The user no longer exists.",
                }),
                [OpenIddictScheme]);
        }

        return Results.Json(UserClaims.ToUserInfo(user));
    }

    private static async Task<IResult> EndSessionAsync(HttpContext http)
    {
        var request = http.GetOpenIddictServerRequest()
            ?? throw new InvalidOperationException("OpenIddict did not pass an end-session request through.");

        await http.SignOutAsync(IdentityProviderSession.Scheme);
        if (string.IsNullOrEmpty(request.PostLogoutRedirectUri))
        {
            return Results.Content(LoginPage.SignedOutHtml, "text/html; charset=utf-8");
        }

        // OpenIddict redirects to the post_logout_redirect_uri checked in OpenIddictServerSetup, with the client's state.
        return Results.SignOut(new AuthenticationProperties { RedirectUri = "/" }, [OpenIddictScheme]);
    }

    private static IResult Forbid(string error, string description) =>
        Results.Forbid(
            new AuthenticationProperties(new Dictionary<string, string?>
            {
                [OpenIddictServerAspNetCoreConstants.Properties.Error] = error,
                [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = description,
            }),
            [OpenIddictScheme]);

    // The same authorization request (query or form), minus prompt=login, so the form is shown once and not in a loop.
    private static string AuthorizationUrlWithoutLoginPrompt(HttpRequest request)
    {
        var parameters = (request.HasFormContentType ? request.Form.AsEnumerable() : request.Query.AsEnumerable())
            .Where(parameter => parameter.Key != Parameters.Prompt)
            .ToList();
        var prompt = request.HasFormContentType ? request.Form[Parameters.Prompt] : request.Query[Parameters.Prompt];
        var remaining = string.Join(' ', prompt.ToString()
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Where(value => value != PromptValues.Login));
        if (remaining.Length > 0)
        {
            parameters.Add(new(Parameters.Prompt, new StringValues(remaining)));
        }

        return request.PathBase + request.Path + QueryString.Create(parameters);
    }
}
