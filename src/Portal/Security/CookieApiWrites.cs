using Microsoft.AspNetCore.Antiforgery;
using Microsoft.Extensions.Options;
using Portal.Api;
using Provisioning.Core.Notifications;

namespace Portal.Security;

/// <summary>
/// Defence in depth for the API (issue 18): the pages' Identity cookie also authenticates <c>/api/v1</c>, so a write
/// made with that cookie alone could come from another site's page. Unsafe API requests that the cookie authenticated
/// must carry an antiforgery token (header <c>RequestVerificationToken</c>) and, when the browser names an
/// <c>Origin</c>, come from the portal's own; otherwise 403 problem+json. Bearer-token clients (anything sending
/// <c>Authorization</c>) are not affected: a browser never adds that header on another site's behalf.
/// </summary>
public static class CookieApiWrites
{
    public static IApplicationBuilder UseCookieApiWriteCheck(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (!IsCookieAuthenticatedApiWrite(context.Request, context.User.Identity?.IsAuthenticated == true))
        {
            await next();
            return;
        }

        var origin = context.Request.Headers.Origin.ToString();
        if (origin.Length > 0 && !IsOwnOrigin(context, origin))
        {
            await RefuseAsync(context, $"This request came from another site ({origin}). Use the portal itself, or a bearer token for the API.");
            return;
        }

        if (!await context.RequestServices.GetRequiredService<IAntiforgery>().IsRequestValidAsync(context))
        {
            await RefuseAsync(context, "A write to the API signed in by the portal's cookie needs the page's antiforgery token (header RequestVerificationToken); API clients use a bearer token.");
            return;
        }

        await next();
    });

    private static bool IsCookieAuthenticatedApiWrite(HttpRequest request, bool authenticated) =>
        authenticated
        && request.Path.StartsWithSegments("/api")
        && !(HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method) || HttpMethods.IsTrace(request.Method))
        // Identity picks the bearer scheme whenever Authorization is sent, the cookie only when it is not.
        && !request.Headers.ContainsKey("Authorization");

    /// <summary>The address this request reached (behind a known proxy, the one the browser used), or the configured public one.</summary>
    private static bool IsOwnOrigin(HttpContext context, string origin)
    {
        var request = context.Request;
        if (string.Equals(origin, $"{request.Scheme}://{request.Host}", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        var publicBase = context.RequestServices.GetRequiredService<IOptions<PortalLinkOptions>>().Value.PublicBaseUrl;
        return Uri.TryCreate(publicBase, UriKind.Absolute, out var configured)
            && string.Equals(origin, configured.GetLeftPart(UriPartial.Authority), StringComparison.OrdinalIgnoreCase);
    }

    private static Task RefuseAsync(HttpContext context, string detail) =>
        ApiProblems.Problem(StatusCodes.Status403Forbidden, "cross_site_request", detail).ExecuteAsync(context);
}
