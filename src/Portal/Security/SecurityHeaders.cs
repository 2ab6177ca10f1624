using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Portal.Features.Identity;

namespace Portal.Security;

/// <summary>
/// The headers every response carries (issue 18): no MIME sniffing, referrers only to this origin in full, and a
/// Content-Security-Policy that lets the page run only this portal's own scripts (plus the import map Blazor writes
/// inline, by a nonce fresh for every response), connect only back here (the circuit's WebSocket included), and never
/// be framed by another site. Styles may be inline: MudBlazor writes its theme and positions that way.
/// </summary>
public static class SecurityHeaders
{
    private const string NonceKey = "portal-csp-nonce";

    /// <summary>The nonce of this response's inline script (the import map); made on first use.</summary>
    public static string NonceOf(HttpContext context)
    {
        if (context.Items[NonceKey] is not string nonce)
        {
            // Hex: nothing in it for HTML encoding to change between the header and the attribute.
            nonce = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
            context.Items[NonceKey] = nonce;
        }

        return nonce;
    }

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app)
    {
        // The "Sign in with" form posts here and is redirected on to the identity provider; browsers hold a form's
        // redirects to form-action too, so the provider's origin is allowed beside this one.
        var singleSignOn = app.ApplicationServices.GetRequiredService<IOptions<SingleSignOnOptions>>().Value;
        var formAction = singleSignOn.IsConfigured && Uri.TryCreate(singleSignOn.Authority, UriKind.Absolute, out var provider)
            ? $"form-action 'self' {provider.GetLeftPart(UriPartial.Authority)}"
            : "form-action 'self'";
        return app.Use(async (context, next) =>
        {
            context.Response.OnStarting(() =>
        {
                var headers = context.Response.Headers;
                headers.XContentTypeOptions = "nosniff";
                headers["Referrer-Policy"] = "strict-origin-when-cross-origin";
                headers.ContentSecurityPolicy =
                    $"default-src 'self'; script-src 'self' 'nonce-{NonceOf(context)}'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
                    $"font-src 'self'; connect-src 'self'; frame-ancestors 'self'; object-src 'none'; base-uri 'self'; {formAction}";
                return Task.CompletedTask;
            });
            await next();
        });
    }
}
