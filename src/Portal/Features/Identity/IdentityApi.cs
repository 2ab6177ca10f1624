using Microsoft.AspNetCore.Identity.Data;
using Portal.Api;
using Portal.Security;
using Provisioning.Core.Identity;

namespace Portal.Features.Identity;

public static class IdentityApi
{
    /// <summary>
    /// Identity's own endpoints that need what the portal does not give them: accounts are made by administrators, so
    /// self-registration is closed; the e-mail flows (confirmation, password reset) would send through Identity's
    /// sender, which sends nothing here. They answer 403 with a reason and are left out of the OpenAPI document.
    /// </summary>
    private static readonly Dictionary<string, (string Code, string Detail)> Closed = new(StringComparer.OrdinalIgnoreCase)
    {
        ["register"] = ("registration_closed", "Accounts are created by administrators; self-registration is not available."),
        ["confirmEmail"] = ("email_flow_unavailable", "Email addresses are confirmed by the administrator who creates the account."),
        ["resendConfirmationEmail"] = ("email_flow_unavailable", "Email addresses are confirmed by the administrator who creates the account."),
        ["forgotPassword"] = ("password_reset_unavailable", "Password resets by email are not available; ask your tenant admin."),
        ["resetPassword"] = ("password_reset_unavailable", "Password resets by email are not available; ask your tenant admin."),
    };

    /// <summary>The built-in Identity API endpoints under <c>/api/v1/auth</c> that work here: login and refresh (bearer tokens), and manage.</summary>
    public static IEndpointRouteBuilder MapIdentityApi(this IEndpointRouteBuilder app)
    {
        var endpoints = app.MapGroup("/api/v1/auth")
            .WithTags("Authentication")
            .MapIdentityApi<PortalUser>();
        endpoints.Add(endpoint =>
        {
            if (endpoint is RouteEndpointBuilder route && Closed.ContainsKey(LastSegment(route.RoutePattern.RawText)))
            {
                endpoint.Metadata.Add(new ExcludeFromDescriptionAttribute());
            }
        });
        endpoints.AddEndpointFilter(async (context, next) =>
        {
            if (Closed.TryGetValue(LastSegment(context.HttpContext.Request.Path.Value), out var closed))
            {
                return ApiProblems.Problem(StatusCodes.Status403Forbidden, closed.Code, closed.Detail);
            }

            // Each try at an account counts against it, wherever it comes from (the client's own limit is the middleware's).
            if (context.Arguments.OfType<LoginRequest>().FirstOrDefault() is { } login
                && context.HttpContext.RequestServices.GetRequiredService<PortalThrottle>().SignInAttempt(login.Email) is { } throttled)
            {
                await ThrottlingExtensions.RejectAsync(context.HttpContext, throttled, "Too many sign-in attempts for this account.", context.HttpContext.RequestAborted);
                return Results.Empty;
            }

            return await next(context);
        });
        return app;
    }

    private static string LastSegment(string? path) => path?.TrimEnd('/').Split('/')[^1] ?? "";
}
