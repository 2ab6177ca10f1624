using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Provisioning.Core.Identity;
using Provisioning.Core.Persistence;

namespace Portal.Features.Identity;

/// <summary>
/// Identity's sign-in rules plus the portal's: a user of a deactivated tenant cannot sign in (told so only after a
/// right password, so the answer reveals nothing to someone guessing), and their refresh tokens and cookies stop being
/// renewed.
/// </summary>
public sealed class PortalSignInManager(
    UserManager<PortalUser> userManager,
    IHttpContextAccessor contextAccessor,
    IUserClaimsPrincipalFactory<PortalUser> claimsFactory,
    IOptions<IdentityOptions> optionsAccessor,
    ILogger<SignInManager<PortalUser>> logger,
    IAuthenticationSchemeProvider schemes,
    IUserConfirmation<PortalUser> confirmation,
    ProvisioningDbContext db)
    : SignInManager<PortalUser>(userManager, contextAccessor, claimsFactory, optionsAccessor, logger, schemes, confirmation)
{
    public override async Task<SignInResult> CheckPasswordSignInAsync(PortalUser user, string password, bool lockoutOnFailure)
    {
        var result = await base.CheckPasswordSignInAsync(user, password, lockoutOnFailure);
        return result.Succeeded && await InDeactivatedTenantAsync(user) ? SignInResult.NotAllowed : result;
    }

    public override async Task<PortalUser?> ValidateSecurityStampAsync(ClaimsPrincipal? principal)
    {
        var user = await base.ValidateSecurityStampAsync(principal);
        return user is not null && await InDeactivatedTenantAsync(user) ? null : user;
    }

    private Task<bool> InDeactivatedTenantAsync(PortalUser user) =>
        user.TenantId is { } tenant
            ? db.Tenants.AsNoTracking().AnyAsync(t => t.Id == tenant && t.DeactivatedAt != null)
            : Task.FromResult(false);
}
