using Portal.Api;
using Provisioning.Core.Identity;

namespace Portal.Features.Identity;

public static class IdentityApi
{
    /// <summary>
    /// The built-in Identity API endpoints under <c>/api/v1/auth</c> (login gives bearer tokens). Accounts
    /// are made by administrators, so self-registration is closed.
    /// </summary>
    public static IEndpointRouteBuilder MapIdentityApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/v1/auth")
            .WithTags("Authentication")
            .MapIdentityApi<PortalUser>()
            .AddEndpointFilter(async (context, next) =>
                context.HttpContext.Request.Path.Value?.EndsWith("/register", StringComparison.OrdinalIgnoreCase) == true
                    ? ApiProblems.Problem(StatusCodes.Status403Forbidden, "registration_closed",
                        "Accounts are created by administrators; self-registration is not available.")
                    : await next(context));
        return app;
    }
}
