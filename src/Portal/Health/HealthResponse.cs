using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Portal.Features.Identity;

namespace Portal.Health;

public sealed record HealthCheckView(
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("description")] string? Description,
    [property: JsonPropertyName("duration_ms")] long DurationMs);

public sealed record HealthView(
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("checks")] IReadOnlyDictionary<string, HealthCheckView> Checks);

/// <summary>
/// <c>/health</c>'s answer: its status as plain text for load balancers and anyone, and each check's detail (what is
/// down and why) as JSON for platform admins only, signed in or with a bearer token.
/// </summary>
internal static class HealthResponse
{
    public static async Task WriteAsync(HttpContext context, HealthReport report)
    {
        var user = context.User;
        if (context.Request.Headers.Authorization.Count > 0 && await context.AuthenticateAsync(IdentityConstants.BearerScheme) is { Succeeded: true } bearer)
        {
            user = bearer.Principal;
        }

        var authorization = context.RequestServices.GetRequiredService<IAuthorizationService>();
        if (!(await authorization.AuthorizeAsync(user, PortalPolicies.PlatformAdmin)).Succeeded)
        {
            context.Response.ContentType = "text/plain";
            await context.Response.WriteAsync(report.Status.ToString());
            return;
        }

        await context.Response.WriteAsJsonAsync(new HealthView(report.Status.ToString(), report.Entries.ToDictionary(
            e => e.Key,
            e => new HealthCheckView(e.Value.Status.ToString(), e.Value.Description, (long)e.Value.Duration.TotalMilliseconds))));
    }
}
