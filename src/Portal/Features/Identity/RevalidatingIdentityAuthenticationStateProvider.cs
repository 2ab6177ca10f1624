using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.AspNetCore.Identity;
using Provisioning.Core.Identity;

namespace Portal.Features.Identity;

/// <summary>
/// A circuit keeps the user it started with for as long as it lives. This checks every <see cref="SessionCheck.Recheck"/> that
/// the session is still good by the same rule as cookies and bearer tokens (<see cref="PortalSignInManager"/>: the
/// account exists, its security stamp is unchanged, it is not disabled and its tenant is active); when not, the
/// circuit's user becomes anonymous and the router sends the page to sign-in.
/// </summary>
internal sealed class RevalidatingIdentityAuthenticationStateProvider(ILoggerFactory loggerFactory, IServiceScopeFactory scopeFactory)
    : RevalidatingServerAuthenticationStateProvider(loggerFactory)
{
    protected override TimeSpan RevalidationInterval => SessionCheck.Recheck;

    protected override Task<bool> ValidateAuthenticationStateAsync(AuthenticationState authenticationState, CancellationToken cancellationToken) =>
        IsCurrentAsync(authenticationState.User);

    internal async Task<bool> IsCurrentAsync(ClaimsPrincipal principal)
    {
        await using var scope = scopeFactory.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<SignInManager<PortalUser>>().ValidateSecurityStampAsync(principal) is not null;
    }
}
