using Microsoft.AspNetCore.Identity;

namespace Provisioning.Core.Identity;

/// <summary>What a user may do: members request workspaces; tenant admins see their whole tenant; platform admins run the platform.</summary>
public enum PortalRole
{
    Member,
    TenantAdmin,
    PlatformAdmin,
}

/// <summary>A person who signs in. Belongs to exactly one tenant, except platform admins, who belong to none.</summary>
public sealed class PortalUser : IdentityUser
{
    public string? TenantId { get; set; }

    public PortalRole Role { get; set; }

    /// <summary>Whether failure and ready emails go out to this user (in-app notifications always do).</summary>
    public bool EmailNotifications { get; set; } = true;

    /// <summary>When an admin disabled the account: it cannot sign in, and its sessions end. Null while enabled.</summary>
    public DateTimeOffset? DisabledAt { get; set; }

    /// <summary>The last sign-in (with a password or single sign-on), for the admins' list.</summary>
    public DateTimeOffset? LastSignInAt { get; set; }
}

/// <summary>Claim types the portal adds to a signed-in user.</summary>
public static class PortalClaims
{
    public const string Tenant = "tenant_id";
}
