using System.Collections.Concurrent;
using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Portal.Api;
using Provisioning.Core.Identity;

namespace Portal.Features.Identity;

/// <summary>
/// Bearer tokens carry the security stamp of the moment they were issued but Identity never compares it again; this
/// does, for every API request, so a token stops working within <see cref="Recheck"/> of its user being disabled,
/// changing role or losing their tenant (cookies and circuits are rechecked as often by Identity's own validators).
/// A verdict is kept per user for that long; the node that made the change forgets it at once.
/// </summary>
public sealed class SessionCheck(TimeProvider time)
{
    public static readonly TimeSpan Recheck = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<string, (string? Stamp, bool Valid, DateTimeOffset Until)> _verdicts = new();

    /// <summary>Drops what is known of a user's sessions: the next request checks again.</summary>
    public void Forget(string userId) => _verdicts.TryRemove(userId, out _);

    internal async Task<bool> IsCurrentAsync(ClaimsPrincipal principal, string stampClaim, Func<Task<bool>> check)
    {
        if (principal.FindFirstValue(ClaimTypes.NameIdentifier) is not { } userId)
        {
            return true;
        }

        var stamp = principal.FindFirstValue(stampClaim);
        var now = time.GetUtcNow();
        if (_verdicts.TryGetValue(userId, out var known) && known.Stamp == stamp && known.Until > now)
        {
            return known.Valid;
        }

        var valid = await check();
        _verdicts[userId] = (stamp, valid, now + Recheck);
        return valid;
    }
}

internal static class SessionCheckMiddleware
{
    /// <summary>After authentication: an API request whose session ended is answered 401 <c>session_ended</c>.</summary>
    public static IApplicationBuilder UseSessionCheck(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (context.User.Identity?.IsAuthenticated == true && context.Request.Path.StartsWithSegments("/api"))
        {
            var sessions = context.RequestServices.GetRequiredService<SessionCheck>();
            var identity = context.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<IdentityOptions>>().Value;
            var current = await sessions.IsCurrentAsync(context.User, identity.ClaimsIdentity.SecurityStampClaimType, async () =>
                await context.RequestServices.GetRequiredService<SignInManager<PortalUser>>().ValidateSecurityStampAsync(context.User) is not null);
            if (!current)
            {
                await ApiProblems.Problem(StatusCodes.Status401Unauthorized, "session_ended",
                    "This session has ended: the account was changed or disabled. Sign in again.").ExecuteAsync(context);
                return;
            }
        }

        await next();
    });
}
