using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Provisioning.Core.Identity;

namespace Portal.Features.Identity;

/// <summary>
/// A circuit keeps the user it started with for as long as it lives. This checks every
/// <see cref="Interval"/> that the account still exists and its security stamp is unchanged (a changed password,
/// a removed account); when not, the circuit's user becomes anonymous and the router sends the page to sign-in.
/// </summary>
internal sealed class RevalidatingIdentityAuthenticationStateProvider(
    ILoggerFactory loggerFactory, IServiceScopeFactory scopeFactory, IOptions<IdentityOptions> options)
    : RevalidatingServerAuthenticationStateProvider(loggerFactory)
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    protected override TimeSpan RevalidationInterval => Interval;

    protected override async Task<bool> ValidateAuthenticationStateAsync(AuthenticationState authenticationState, CancellationToken cancellationToken)
    {
        await using var scope = scopeFactory.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        return await IsCurrentAsync(users, authenticationState.User);
    }

    private async Task<bool> IsCurrentAsync(UserManager<PortalUser> users, ClaimsPrincipal principal)
    {
        if (await users.GetUserAsync(principal) is not { } user)
        {
            return false;
        }

        if (!users.SupportsUserSecurityStamp)
        {
            return true;
        }

        var stamp = principal.FindFirstValue(options.Value.ClaimsIdentity.SecurityStampClaimType);
        return stamp == await users.GetSecurityStampAsync(user);
    }
}
