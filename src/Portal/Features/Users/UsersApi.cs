using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Portal.Api;
using Portal.Features.Identity;
using Provisioning.Core.Identity;

namespace Portal.Features.Users;

/// <summary><c>/api/v1/admin/users</c>: tenant admins for their tenant, platform admins for all; members get 403.</summary>
public static class UsersApi
{
    public static IEndpointRouteBuilder MapUsersApi(this IEndpointRouteBuilder app)
    {
        var users = app.MapGroup("/api/v1/admin/users")
            .WithTags("Users")
            .RequireAuthorization(PortalPolicies.UserAdmin);
        users.MapGet("/", ListAsync);
        users.MapPatch("/{id}", ChangeAsync);
        return app;
    }

    public static async Task<Ok<List<UserView>>> ListAsync(string? tenant, ClaimsPrincipal principal, UserDirectory directory, CancellationToken cancellationToken) =>
        TypedResults.Ok(await directory.ListAsync(CurrentUser.From(principal)!, tenant, cancellationToken));

    public static async Task<Results<Ok<UserView>, ValidationProblem, ProblemHttpResult>> ChangeAsync(
        string id, UserChange? body, ClaimsPrincipal principal, UserDirectory directory, CancellationToken cancellationToken)
    {
        if (body is null || (body.Role is null && body.Disabled is null))
        {
            return ApiProblems.Invalid("role", "Give a role (member or tenant_admin), disabled (true or false), or both.");
        }

        if (body.Role is PortalRole.PlatformAdmin)
        {
            return ApiProblems.Invalid("role", "The role must be member or tenant_admin; platform admins are not made here.");
        }

        var (user, refusal) = await directory.ChangeAsync(CurrentUser.From(principal)!, id, body, cancellationToken);
        return refusal switch
        {
            null => TypedResults.Ok(user!),
            UserChangeRefusal.NotFound => ApiProblems.NotFound("user"),
            UserChangeRefusal.PlatformAdmin => ApiProblems.Problem(StatusCodes.Status403Forbidden, "platform_admin",
                "Platform admins are not managed here."),
            _ => ApiProblems.Problem(StatusCodes.Status409Conflict, "last_tenant_admin",
                "You are the tenant's last tenant admin: make someone else tenant admin before you step down or disable your account."),
        };
    }
}
