using System.Security.Claims;
using Provisioning.Core.Identity;

namespace Portal.Features.Identity;

/// <summary>Who is calling, read from the signed-in principal (cookie or bearer token).</summary>
public sealed record CurrentUser(string Id, string Email, string? TenantId, PortalRole Role)
{
    public static CurrentUser? From(ClaimsPrincipal principal)
    {
        if (principal.Identity?.IsAuthenticated != true
            || principal.FindFirstValue(ClaimTypes.NameIdentifier) is not { } id
            || !Enum.TryParse<PortalRole>(principal.FindFirstValue(ClaimTypes.Role), out var role))
        {
            return null;
        }

        return new CurrentUser(id, principal.FindFirstValue(ClaimTypes.Name) ?? "", principal.FindFirstValue(PortalClaims.Tenant), role);
    }

    /// <summary>The actor recorded on events: the user's email.</summary>
    public string Actor => Email;
}
