using System.Security.Cryptography;
using System.Text;

namespace Provisioning.Core.Identity;

/// <summary>Where an invitation is, at a given moment.</summary>
public enum InvitationStatus
{
    /// <summary>Sent (or about to be) and not yet used: its newest link sets a password.</summary>
    Pending,
    Accepted,
    Revoked,
    Expired,
}

/// <summary>
/// An admin's invitation of one person into one tenant with one role (issue 14). The link in its email carries a
/// random token; only the token's hash is stored, and only the newest email's token is the invitation's.
/// </summary>
/// <remarks>
/// The token is made when the email is composed for delivery (<see cref="IssueToken"/>), not when the invitation is
/// written, so it never sits in the outbox, a log or this record in a form that can be used. A token of 256 random
/// bits needs no salt or slow hash: a plain SHA-256 of it cannot be reversed or guessed.
/// </remarks>
public sealed class Invitation
{
    public const int MaxEmailLength = 256;

    private Invitation()
    {
    }

    public Invitation(string email, string normalizedEmail, string tenantId, PortalRole role, string invitedBy, DateTimeOffset createdAt, DateTimeOffset expiresAt)
    {
        if (role == PortalRole.PlatformAdmin)
        {
            throw new ArgumentException("Platform admins are not invited into a tenant.", nameof(role));
        }

        Id = Guid.CreateVersion7(createdAt);
        Email = email;
        NormalizedEmail = normalizedEmail;
        TenantId = tenantId;
        Role = role;
        InvitedBy = invitedBy;
        CreatedAt = createdAt;
        ExpiresAt = expiresAt;
    }

    public Guid Id { get; private set; }

    public string Email { get; private set; } = "";

    /// <summary>As Identity normalizes user emails, to find an invitation (or account) by address whatever its case.</summary>
    public string NormalizedEmail { get; private set; } = "";

    public string TenantId { get; private set; } = "";

    public PortalRole Role { get; private set; }

    /// <summary>The id of the admin who invited.</summary>
    public string InvitedBy { get; private set; } = "";

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset ExpiresAt { get; private set; }

    /// <summary>
    /// SHA-256 (hex) of the newest email's token; null until the first email is composed. Kept once the invitation is
    /// accepted or revoked, so its link can be told apart as used rather than unknown.
    /// </summary>
    public string? TokenHash { get; private set; }

    /// <summary>How many times its email was asked for (the first and every resend).</summary>
    public int Sends { get; private set; }

    public DateTimeOffset? AcceptedAt { get; private set; }

    /// <summary>The account the invitation became.</summary>
    public string? AcceptedUserId { get; private set; }

    public DateTimeOffset? RevokedAt { get; private set; }

    public InvitationStatus StatusAt(DateTimeOffset now) =>
        AcceptedAt is not null ? InvitationStatus.Accepted
        : RevokedAt is not null ? InvitationStatus.Revoked
        : now >= ExpiresAt ? InvitationStatus.Expired
        : InvitationStatus.Pending;

    /// <summary>
    /// A new token for the email being composed now; the one before it stops working. Called by the outbox delivery,
    /// which saves the hash before the email goes out.
    /// </summary>
    public string IssueToken()
    {
        var token = Base64Url(RandomNumberGenerator.GetBytes(32));
        TokenHash = Hash(token);
        return token;
    }

    /// <summary>An email for this invitation is asked for: a resend also gives it a fresh validity period.</summary>
    public void Sent(DateTimeOffset expiresAt)
    {
        Sends++;
        ExpiresAt = expiresAt;
    }

    public void Accept(string userId, DateTimeOffset at)
    {
        AcceptedAt = at;
        AcceptedUserId = userId;
    }

    public void Revoke(DateTimeOffset at)
    {
        RevokedAt = at;
    }

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
