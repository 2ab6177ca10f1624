using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Portal.Api;
using Portal.Features.Identity;
using Portal.Features.Notifications;
using Portal.Features.Workspaces;
using Provisioning.Core.Errors;
using Provisioning.Core.Notifications;
using Provisioning.Core.Workspaces;

namespace Portal.Features.Admin;

public static class AdminApi
{
    public static IEndpointRouteBuilder MapAdminApi(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/api/v1/admin")
            .WithTags("Tenant admin")
            .RequireAuthorization(PortalPolicies.TenantAdmin);
        admin.MapGet("/workspaces", ListAsync);
        admin.MapGet("/emails", ListEmailsAsync);
        return app;
    }

    /// <summary>Every workspace of the admin's tenant, with technical error detail and retry history.</summary>
    public static async Task<Results<Ok<PageOf<AdminWorkspaceView>>, ValidationProblem>> ListAsync(
        string? status, [FromQuery(Name = "error_code")] string? errorCode, int? page, [FromQuery(Name = "page_size")] int? pageSize,
        ClaimsPrincipal principal, WorkspaceQueries queries, CancellationToken cancellationToken)
    {
        var errors = WorkspaceRules.CheckPaging(page, pageSize);
        if (!WorkspaceRules.TryParseStatus(status, out var parsed))
        {
            errors["status"] = [ApiEnums.OneOf<WorkspaceStatus>("status")];
        }

        if (errorCode is not null && !ErrorCatalogue.IsKnown(errorCode))
        {
            errors["error_code"] = ["error_code must be a code of the error catalogue."];
        }

        if (errors.Count > 0)
        {
            return ApiProblems.Invalid(errors);
        }

        var user = CurrentUser.From(principal)!;
        return TypedResults.Ok(await queries.AdminListAsync(user.TenantId!, parsed, errorCode, page ?? 1, pageSize ?? 20, cancellationToken));
    }

    /// <summary>
    /// The emails sent, or still to be sent, for the admin's tenant: newest first, optionally one status
    /// (<c>pending</c>, <c>sent</c>, <c>failed</c>). The tenant is the caller's, never a parameter; resending is the platform's.
    /// </summary>
    public static async Task<Results<Ok<PageOf<OutboxMessageView>>, ValidationProblem>> ListEmailsAsync(
        string? status, int? page, [FromQuery(Name = "page_size")] int? pageSize,
        ClaimsPrincipal principal, OutboxAdmin outbox, CancellationToken cancellationToken)
    {
        var errors = OutboxRules.CheckList(status, page, pageSize, out var parsed);
        if (errors.Count > 0)
        {
            return ApiProblems.Invalid(errors);
        }

        var user = CurrentUser.From(principal)!;
        return TypedResults.Ok(await outbox.ListForTenantAsync(
            user.TenantId!, parsed, page ?? 1, pageSize ?? OutboxRules.DefaultPageSize, cancellationToken));
    }
}
