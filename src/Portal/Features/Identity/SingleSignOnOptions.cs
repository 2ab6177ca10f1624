using System.ComponentModel.DataAnnotations;

namespace Portal.Features.Identity;

/// <summary>
/// <c>Authentication:Oidc</c>: single sign-on with any OpenID Connect provider (issue 14). Off while
/// <see cref="Authority"/> is empty.
/// </summary>
public sealed class SingleSignOnOptions : IValidatableObject
{
    public const string Section = "Authentication:Oidc";
    public const string Scheme = "oidc";

    /// <summary>The provider's issuer address; its discovery document is read from there.</summary>
    public string? Authority { get; set; }

    public string? ClientId { get; set; }

    /// <summary>A secret: give it by environment (<c>Authentication__Oidc__ClientSecret</c>) or a secret store, never in a file of the repository.</summary>
    public string? ClientSecret { get; set; }

    /// <summary>What the button says after "Sign in with".</summary>
    public string DisplayName { get; set; } = "single sign-on";

    /// <summary>
    /// With <see cref="RoleClaim"/>: the claim naming the tenant (by id) of someone who signs in for the first time
    /// without an invitation, who is then made a user of that tenant. Unset, only invited people get in.
    /// </summary>
    public string? TenantClaim { get; set; }

    /// <summary>The claim naming the role of such a user: <c>member</c> or <c>tenant_admin</c>.</summary>
    public string? RoleClaim { get; set; }

    /// <summary>Scopes asked for besides openid, profile and email (say, one that brings the tenant and role claims).</summary>
    public List<string> Scopes { get; set; } = [];

    /// <summary>Only a development or test provider on plain HTTP turns this off.</summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    public bool IsConfigured => !string.IsNullOrWhiteSpace(Authority);

    public bool ProvisionsFromClaims => !string.IsNullOrWhiteSpace(TenantClaim) && !string.IsNullOrWhiteSpace(RoleClaim);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!IsConfigured)
        {
            yield break;
        }

        if (!Uri.TryCreate(Authority, UriKind.Absolute, out var authority) || (authority.Scheme != Uri.UriSchemeHttps && authority.Scheme != Uri.UriSchemeHttp))
        {
            yield return new ValidationResult($"{Section}:Authority '{Authority}' must be an absolute https address.");
        }
        else if (authority.Scheme == Uri.UriSchemeHttp && RequireHttpsMetadata)
        {
            yield return new ValidationResult($"{Section}:Authority '{Authority}' must be https (set {Section}:RequireHttpsMetadata=false only for a test provider).");
        }

        if (string.IsNullOrWhiteSpace(ClientId))
        {
            yield return new ValidationResult($"{Section}:ClientId is required with {Section}:Authority.");
        }

        if (string.IsNullOrWhiteSpace(TenantClaim) != string.IsNullOrWhiteSpace(RoleClaim))
        {
            yield return new ValidationResult($"{Section}:TenantClaim and {Section}:RoleClaim go together: set both to make users from their claims, or neither.");
        }
    }
}

/// <summary><c>Authentication:LocalPasswords</c>: whether people may sign in with a password of the portal's own.</summary>
public sealed class LocalPasswordOptions
{
    public const string Key = "Authentication:LocalPasswords";

    public bool Enabled { get; set; } = true;
}
