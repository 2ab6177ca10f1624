using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Portal.Api;
using Portal.Features.Identity;
using Provisioning.Core.Notifications;
using Provisioning.Core.Workspaces;

namespace Portal.Features.Notifications;

/// <summary>The platform admin's view of the email outbox: what is pending, sent or failed, and a resend.</summary>
public static class OutboxApi
{
    public static IEndpointRouteBuilder MapOutboxApi(this IEndpointRouteBuilder app)
    {
        var outbox = app.MapGroup("/api/v1/platform/outbox")
            .WithTags("Platform admin")
            .RequireAuthorization(PortalPolicies.PlatformAdmin);
        outbox.MapGet("/", ListAsync);
        outbox.MapPost("/{id:guid}/resend", ResendAsync);
        return app;
    }

    /// <summary>Newest first, optionally one status (<c>pending</c>, <c>sent</c>, <c>failed</c>) and one tenant.</summary>
    public static async Task<Results<Ok<PageOf<OutboxMessageView>>, ValidationProblem>> ListAsync(
        string? status, [FromQuery(Name = "tenant_id")] string? tenantId, int? page, [FromQuery(Name = "page_size")] int? pageSize,
        OutboxAdmin outbox, CancellationToken cancellationToken)
    {
        var errors = OutboxRules.CheckList(status, page, pageSize, out var parsed);
        if (errors.Count > 0)
        {
            return ApiProblems.Invalid(errors);
        }

        return TypedResults.Ok(await outbox.ListAsync(
            parsed, string.IsNullOrEmpty(tenantId) ? null : tenantId, page ?? 1, pageSize ?? OutboxRules.DefaultPageSize, cancellationToken));
    }

    /// <summary>Queues the email again for the next delivery run: 202 with its new state.</summary>
    public static async Task<Results<Accepted<OutboxMessageView>, ProblemHttpResult>> ResendAsync(
        Guid id, OutboxAdmin outbox, CancellationToken cancellationToken) =>
        await outbox.ResendAsync(id, cancellationToken) is { } queued
            ? TypedResults.Accepted((string?)null, queued)
            : ApiProblems.NotFound("email");
}
