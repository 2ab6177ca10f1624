using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Portal.Api;
using Portal.Features.Identity;
using Provisioning.Core.Notifications;

namespace Portal.Features.Notifications;

public static class NotificationsApi
{
    public static IEndpointRouteBuilder MapNotificationsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/notifications")
            .WithTags("Notifications")
            .RequireAuthorization();
        api.MapGet("/", ListAsync);
        api.MapPost("/{id:guid}/read", MarkReadAsync);
        return app;
    }

    /// <summary>The caller's own notifications, newest first, with the unread count.</summary>
    public static async Task<Ok<NotificationList>> ListAsync(ClaimsPrincipal principal, NotificationInbox inbox, CancellationToken cancellationToken) =>
        TypedResults.Ok(await inbox.ListAsync(CurrentUser.From(principal)!.Id, cancellationToken));

    public static async Task<Results<Ok<NotificationView>, ProblemHttpResult>> MarkReadAsync(
        Guid id, ClaimsPrincipal principal, NotificationInbox inbox, CancellationToken cancellationToken) =>
        await inbox.MarkReadAsync(CurrentUser.From(principal)!.Id, id, cancellationToken) is { } read
            ? TypedResults.Ok(read)
            : ApiProblems.NotFound("notification");
}
