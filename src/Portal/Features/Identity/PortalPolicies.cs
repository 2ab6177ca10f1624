using Provisioning.Core.Identity;

namespace Portal.Features.Identity;

/// <summary>Who may use what: one place for the role rules.</summary>
public static class PortalPolicies
{
    /// <summary>A signed-in user of a tenant (members and tenant admins).</summary>
    public const string TenantUser = nameof(TenantUser);

    public const string TenantAdmin = nameof(TenantAdmin);

    public const string PlatformAdmin = nameof(PlatformAdmin);

    /// <summary>Who manages people: tenant admins (their tenant) and platform admins (every tenant).</summary>
    public const string UserAdmin = nameof(UserAdmin);

    internal static void Add(Microsoft.AspNetCore.Authorization.AuthorizationBuilder authorization) => authorization
        .AddPolicy(TenantUser, p => p.RequireAuthenticatedUser().RequireClaim(PortalClaims.Tenant))
        .AddPolicy(TenantAdmin, p => p.RequireAuthenticatedUser().RequireClaim(PortalClaims.Tenant).RequireRole(nameof(PortalRole.TenantAdmin)))
        .AddPolicy(PlatformAdmin, p => p.RequireAuthenticatedUser().RequireRole(nameof(PortalRole.PlatformAdmin)))
        .AddPolicy(UserAdmin, p => p.RequireAuthenticatedUser().RequireAssertion(context =>
            context.User.IsInRole(nameof(PortalRole.PlatformAdmin))
            || (context.User.IsInRole(nameof(PortalRole.TenantAdmin)) && context.User.HasClaim(c => c.Type == PortalClaims.Tenant))));
}
