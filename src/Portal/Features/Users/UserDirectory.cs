using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Portal.Features.Identity;
using Provisioning.Core.Identity;
using Provisioning.Core.Persistence;

namespace Portal.Features.Users;

/// <summary>What an admin sees of a user.</summary>
public sealed record UserView(string Id, string Email, PortalRole Role, string? Tenant, bool Disabled, DateTimeOffset? LastSignInAt);

/// <summary>A role change (member or tenant admin) and/or disabling or enabling the account; what is left out stays.</summary>
public sealed record UserChange(PortalRole? Role, bool? Disabled);

public enum UserChangeRefusal
{
    /// <summary>No such user where the admin may look (another tenant's user does not exist for a tenant admin).</summary>
    NotFound,

    /// <summary>Platform admins are not managed here.</summary>
    PlatformAdmin,

    /// <summary>The last enabled tenant admin of a tenant would demote or disable themselves.</summary>
    LastTenantAdmin,
}

/// <summary>
/// Users for their admins (issue 14): tenant admins see and manage their tenant's members and tenant admins, platform
/// admins every tenant's. A change renews the user's security stamp, so their tokens, cookies and circuits end
/// (within <see cref="SessionCheck.Recheck"/> on other nodes, at once here).
/// </summary>
public sealed class UserDirectory(IServiceScopeFactory scopes, SessionCheck sessions, TimeProvider time)
{
    public async Task<List<UserView>> ListAsync(CurrentUser admin, string? tenant, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ProvisioningDbContext>();
        var scoped = Visible(db.Users.AsNoTracking(), admin);
        if (tenant is not null)
        {
            scoped = scoped.Where(u => u.TenantId == tenant);
        }

        return await scoped.OrderBy(u => u.TenantId).ThenBy(u => u.Email)
            .Select(u => new UserView(u.Id, u.Email!, u.Role, u.TenantId, u.DisabledAt != null, u.LastSignInAt))
            .ToListAsync(cancellationToken);
    }

    public async Task<(UserView? User, UserChangeRefusal? Refusal)> ChangeAsync(CurrentUser admin, string id, UserChange change, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ProvisioningDbContext>();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        if (await Visible(db.Users, admin).SingleOrDefaultAsync(u => u.Id == id, cancellationToken) is not { } user)
        {
            return (null, UserChangeRefusal.NotFound);
        }

        if (user.Role == PortalRole.PlatformAdmin)
        {
            return (null, UserChangeRefusal.PlatformAdmin);
        }

        var losesAdmin = user.Role == PortalRole.TenantAdmin && (change.Role == PortalRole.Member || change.Disabled == true);
        if (losesAdmin && user.Id == admin.Id && !await db.Users.AnyAsync(
                u => u.TenantId == user.TenantId && u.Id != user.Id && u.Role == PortalRole.TenantAdmin && u.DisabledAt == null, cancellationToken))
        {
            return (null, UserChangeRefusal.LastTenantAdmin);
        }

        if (change.Role is { } role)
        {
            user.Role = role;
        }

        if (change.Disabled is { } disabled)
        {
            user.DisabledAt = disabled ? user.DisabledAt ?? time.GetUtcNow() : null;
        }

        // UpdateSecurityStampAsync saves the user with the changes above.
        var saved = await users.UpdateSecurityStampAsync(user);
        if (!saved.Succeeded)
        {
            throw new InvalidOperationException($"User {user.Id} could not be saved: {string.Join(" ", saved.Errors.Select(e => e.Description))}");
        }

        sessions.Forget(user.Id);
        return (new UserView(user.Id, user.Email!, user.Role, user.TenantId, user.DisabledAt != null, user.LastSignInAt), null);
    }

    private static IQueryable<PortalUser> Visible(IQueryable<PortalUser> users, CurrentUser admin) =>
        admin.Role == PortalRole.PlatformAdmin ? users : users.Where(u => u.TenantId == admin.TenantId);
}
