using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Provisioning.Core.Identity;
using Provisioning.Core.Persistence;

namespace Portal.Features.Identity;

/// <summary>
/// Identity's sign-in rules plus the portal's: a disabled user, or a user of a deactivated tenant, cannot sign in (told
/// so only after a right password, so the answer reveals nothing to someone guessing), and their refresh tokens,
/// cookies and sessions stop being renewed; the same holds for single sign-on. With <c>Authentication:LocalPasswords=false</c>
/// no password signs in (the sign-in page, the API's login), only the identity provider. A sign-in of either kind is
/// recorded as the user's last.
/// </summary>
public sealed class PortalSignInManager(
    UserManager<PortalUser> userManager,
    IHttpContextAccessor contextAccessor,
    IUserClaimsPrincipalFactory<PortalUser> claimsFactory,
    IOptions<IdentityOptions> optionsAccessor,
    ILogger<SignInManager<PortalUser>> logger,
    IAuthenticationSchemeProvider schemes,
    IUserConfirmation<PortalUser> confirmation,
    ProvisioningDbContext db,
    IOptions<LocalPasswordOptions> localPasswords,
    TimeProvider time)
    : SignInManager<PortalUser>(userManager, contextAccessor, claimsFactory, optionsAccessor, logger, schemes, confirmation)
{
    public override async Task<SignInResult> CheckPasswordSignInAsync(PortalUser user, string password, bool lockoutOnFailure)
    {
        if (!localPasswords.Value.Enabled)
        {
            return SignInResult.NotAllowed;
        }

        var result = await base.CheckPasswordSignInAsync(user, password, lockoutOnFailure);
        return result.Succeeded && !await MaySignInAsync(user) ? SignInResult.NotAllowed : result;
    }

    public override async Task<SignInResult> PasswordSignInAsync(PortalUser user, string password, bool isPersistent, bool lockoutOnFailure)
    {
        var result = await base.PasswordSignInAsync(user, password, isPersistent, lockoutOnFailure);
        if (result.Succeeded)
        {
            await RecordSignInAsync(user);
        }

        return result;
    }

    public override async Task<SignInResult> ExternalLoginSignInAsync(string loginProvider, string providerKey, bool isPersistent, bool bypassTwoFactor)
    {
        var user = await UserManager.FindByLoginAsync(loginProvider, providerKey);
        if (user is not null && !await MaySignInAsync(user))
        {
            return SignInResult.NotAllowed;
        }

        var result = await base.ExternalLoginSignInAsync(loginProvider, providerKey, isPersistent, bypassTwoFactor);
        // Only a known login signs in, and it is the user read above (the context's own instance).
        if (result.Succeeded && user is not null)
        {
            await RecordSignInAsync(user);
        }

        return result;
    }

    private async Task RecordSignInAsync(PortalUser user)
    {
        user.LastSignInAt = time.GetUtcNow();
        await UserManager.UpdateAsync(user);
    }

    public override async Task<PortalUser?> ValidateSecurityStampAsync(ClaimsPrincipal? principal)
    {
        var user = await base.ValidateSecurityStampAsync(principal);
        return user is not null && await MaySignInAsync(user) ? user : null;
    }

    private async Task<bool> MaySignInAsync(PortalUser user) =>
        user.DisabledAt is null
        && (user.TenantId is not { } tenant || !await db.Tenants.AsNoTracking().AnyAsync(t => t.Id == tenant && t.DeactivatedAt != null));
}
