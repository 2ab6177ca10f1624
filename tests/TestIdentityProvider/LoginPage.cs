using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace TestIdentityProvider;

/// <summary>
/// The sign-in form: plain HTML, so Playwright can fill it and an HttpClient can post it (fields <c>username</c>,
/// <c>password</c> and the hidden <c>returnUrl</c>). No antiforgery token: this is a test server on 127.0.0.1, and a token
/// would only make every HttpClient test scrape it out of the page (and add an .AspNetCore.Antiforgery cookie that
/// browsers would also send to the portal on the same host).
/// </summary>
internal static class LoginPage
{
    public const string Path = "/login";
    public const string WrongCredentials = "Wrong email or password.";

    public const string SignedOutHtml = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>Test identity provider</title></head>
        <body><main><h1>Test identity provider</h1><p>You are signed out.</p></main></body></html>
        """;

    public static string UrlFor(string returnUrl) => $"{Path}?returnUrl={Uri.EscapeDataString(returnUrl)}";

    public static IEndpointRouteBuilder MapLoginPage(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(Path, (HttpContext http) => Page(ReturnUrl(http.Request.Query["returnUrl"]), username: "", error: null));
        endpoints.MapPost(Path, SignInAsync).DisableAntiforgery();
        return endpoints;
    }

    private static async Task<IResult> SignInAsync(HttpContext http, IdentityProviderState state)
    {
        var form = await http.Request.ReadFormAsync(http.RequestAborted);
        var returnUrl = ReturnUrl(form["returnUrl"]);
        var user = state.FindByCredentials(form["username"], form["password"]);
        if (user is null)
        {
            return Page(returnUrl, form["username"].ToString(), WrongCredentials);
        }

        var identity = new ClaimsIdentity([new Claim(Claims.Subject, user.Subject)], IdentityProviderSession.Scheme);
        await http.SignInAsync(IdentityProviderSession.Scheme, new ClaimsPrincipal(identity));
        return Results.Redirect(returnUrl);
    }

    // Only back into this provider: a return URL is a path here, never another site.
    private static string ReturnUrl(string? value) =>
        value is { Length: > 1 } && value[0] == '/' && value[1] is not '/' and not '\\' ? value : "/";

    private static IResult Page(string returnUrl, string username, string? error)
    {
        var html = HtmlEncoder.Default;
        var alert = error is null ? "" : $"""<p role="alert">{html.Encode(error)}</p>""";
        return Results.Content($"""
            <!DOCTYPE html>
            <html lang="en">
            <head><meta charset="utf-8"><title>Test identity provider</title></head>
            <body>
            <main>
            <h1>Test identity provider</h1>
            {alert}
            <form method="post" action="{Path}">
            <input type="hidden" name="returnUrl" value="{html.Encode(returnUrl)}">
            <p><label for="username">Email</label><br><input id="username" name="username" type="text" autocomplete="username" value="{html.Encode(username)}"></p>
            <p><label for="password">Password</label><br><input id="password" name="password" type="password" autocomplete="current-password"></p>
            <p><button type="submit">Sign in</button></p>
            </form>
            </main>
            </body>
            </html>
            """, "text/html; charset=utf-8");
    }
}
