using System.Security.Claims;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace TestIdentityProvider;

/// <summary>The one list of what the provider says about a user: the id_token, the access token and userinfo all come from it.</summary>
internal static class UserClaims
{
    public static ClaimsPrincipal CreatePrincipal(TestIdentityUser user)
    {
        var identity = new ClaimsIdentity(TokenValidationParameters.DefaultAuthenticationType, Claims.Name, Claims.Role);
        identity.SetClaim(Claims.Subject, user.Subject);
        identity.SetClaim(Claims.Email, user.Email);
        // A boolean claim, so the token and userinfo say "email_verified": true, not "true".
        identity.SetClaim(Claims.EmailVerified, user.EmailVerified);
        identity.SetClaim(Claims.Name, user.Email);
        foreach (var (type, values) in user.Claims)
        {
            identity.SetClaims(type, [.. values]);
        }

        // Without destinations OpenIddict leaves a claim out of every token.
        identity.SetDestinations(static _ => [Destinations.AccessToken, Destinations.IdentityToken]);
        return new ClaimsPrincipal(identity);
    }

    /// <summary>The userinfo response: the same claims, one value as a JSON string or boolean, several as an array.</summary>
    public static Dictionary<string, object> ToUserInfo(TestIdentityUser user) =>
        CreatePrincipal(user).Claims
            .GroupBy(claim => claim.Type, StringComparer.Ordinal)
            .ToDictionary(
                group => group.Key,
                group => group.Count() == 1 ? ToJsonValue(group.Single()) : group.Select(ToJsonValue).ToArray(),
                StringComparer.Ordinal);

    private static object ToJsonValue(Claim claim) =>
        claim.ValueType == ClaimValueTypes.Boolean ? bool.Parse(claim.Value) : claim.Value;
}
