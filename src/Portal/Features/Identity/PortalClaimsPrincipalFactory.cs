using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Provisioning.Core.Identity;

namespace Portal.Features.Identity;

/// <summary>Puts the user's tenant and role into the cookie and the bearer token.</summary>
internal sealed class PortalClaimsPrincipalFactory(UserManager<PortalUser> users, IOptions<IdentityOptions> options)
    : UserClaimsPrincipalFactory<PortalUser>(users, options)
{
    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(PortalUser user)
    {
        var identity = await base.GenerateClaimsAsync(user);
        identity.AddClaim(new Claim(ClaimTypes.Role, user.Role.ToString()));
        if (user.TenantId is { } tenant)
        {
            identity.AddClaim(new Claim(PortalClaims.Tenant, tenant));
        }

        return identity;
    }
}
