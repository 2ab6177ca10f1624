using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Features.Identity;
using Provisioning.Core.Identity;
using Provisioning.Core.Notifications;
using Provisioning.Core.Persistence;
using Provisioning.Core.Workspaces;

namespace Portal.Features.Invitations;

/// <summary>What an admin sees of an invitation.</summary>
public sealed record InvitationView(
    Guid Id, string Email, PortalRole Role, string Tenant, InvitationStatus Status, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, int Sends);

/// <summary>An invitation asked for: the tenant may be left out by a tenant admin (their own).</summary>
public sealed record NewInvitation(string? Email, PortalRole? Role, string? Tenant);

/// <summary>Why an admin's invitation request was refused (after its fields passed <see cref="InvitationDirectory.Check"/>).</summary>
public enum InvitationRefusal
{
    /// <summary>No such invitation where the admin may look.</summary>
    NotFound,

    /// <summary>A tenant admin named another tenant.</summary>
    OtherTenant,

    /// <summary>The platform admin named a tenant that does not exist.</summary>
    UnknownTenant,

    TenantInactive,

    /// <summary>The address already belongs to an account.</summary>
    AccountExists,

    /// <summary>A pending invitation for the address exists already (resend that one).</summary>
    AlreadyInvited,

    /// <summary>Accepted or revoked: nothing to resend or revoke.</summary>
    NotPending,
}

/// <summary>Why a token does not accept (all answered 410 Gone: the link has had its day).</summary>
public enum InvitationLinkProblem
{
    /// <summary>Unknown, replaced by a newer email, or revoked: as far as the holder can tell, it never worked.</summary>
    NotValid,
    Used,
    Expired,

    /// <summary>The tenant was deactivated since.</summary>
    TenantInactive,
}

/// <summary>A link that still accepts: who it is for, to show on the accept page.</summary>
public sealed record InvitationLink(Guid Id, string Email, string TenantName, PortalRole Role, DateTimeOffset ExpiresAt);

/// <summary>
/// Invitations (issue 14) for the admins' API and pages and for the accept page: tenant admins invite into their own
/// tenant, platform admins into any. The email goes through the outbox in the same save; its link's token is made at
/// delivery (<see cref="OutboxDelivery"/>). Accepting makes the account with a password under Identity's rules; a
/// first single sign-on with the invited address makes it without one (<see cref="AcceptForSingleSignOnAsync"/>).
/// </summary>
public sealed class InvitationDirectory(
    IServiceScopeFactory scopes,
    IOptions<InvitationOptions> options,
    IOptions<SingleSignOnOptions> singleSignOn,
    TimeProvider time)
{
    /// <summary>What is wrong with an invitation request, by field; empty when nothing is.</summary>
    public static Dictionary<string, string[]> Check(NewInvitation? invitation)
    {
        var errors = new Dictionary<string, string[]>();
        if (invitation?.Email is null or "")
        {
            errors["email"] = ["Give the email address of the person to invite."];
        }
        else if (PlainAddress.Problem(invitation.Email) is { } emailProblem)
        {
            errors["email"] = [emailProblem];
        }

        if (invitation?.Role is not (PortalRole.Member or PortalRole.TenantAdmin))
        {
            errors["role"] = ["The role must be member or tenant_admin."];
        }

        if (invitation?.Tenant is { } tenant && !Tenant.IsValidId(tenant))
        {
            errors["tenant"] = ["There is no tenant with this id."];
        }

        return errors;
    }

    /// <param name="openOnly">Only those neither accepted nor revoked: pending, and expired ones an admin may send again.</param>
    public async Task<List<InvitationView>> ListAsync(CurrentUser admin, bool openOnly, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ProvisioningDbContext>();
        var query = Visible(db.Invitations.AsNoTracking(), admin);
        if (openOnly)
        {
            query = Open(query);
        }

        var now = time.GetUtcNow();
        var invitations = await query.OrderBy(i => i.TenantId).ThenBy(i => i.Email).ToListAsync(cancellationToken);
        return invitations.Select(i => View(i, now)).ToList();
    }

    /// <summary>Invites someone (the request passed <see cref="Check"/>); the email is queued in the same save.</summary>
    public async Task<(InvitationView? Invitation, InvitationRefusal? Refusal)> CreateAsync(CurrentUser admin, NewInvitation request, CancellationToken cancellationToken)
    {
        var tenantId = request.Tenant ?? admin.TenantId;
        if (admin.Role != PortalRole.PlatformAdmin && tenantId != admin.TenantId)
        {
            return (null, InvitationRefusal.OtherTenant);
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ProvisioningDbContext>();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        var tenant = tenantId is null ? null : await db.Tenants.SingleOrDefaultAsync(t => t.Id == tenantId, cancellationToken);
        if (tenant is null)
        {
            return (null, InvitationRefusal.UnknownTenant);
        }

        if (!tenant.IsActive)
        {
            return (null, InvitationRefusal.TenantInactive);
        }

        var email = request.Email!;
        var normalized = users.NormalizeEmail(email);
        if (await db.Users.AnyAsync(u => u.NormalizedEmail == normalized, cancellationToken))
        {
            return (null, InvitationRefusal.AccountExists);
        }

        var now = time.GetUtcNow();
        var open = await Open(db.Invitations).Where(i => i.NormalizedEmail == normalized).ToListAsync(cancellationToken);
        if (open.Any(i => i.StatusAt(now) == InvitationStatus.Pending))
        {
            return (null, InvitationRefusal.AlreadyInvited);
        }

        // An expired invitation for the address gives way to the new one: one address, one open invitation. Saved first,
        // so the new row never meets the old one in the unique index.
        if (open.Count > 0)
        {
            open.ForEach(expired => expired.Revoke(now));
            await db.SaveChangesAsync(cancellationToken);
        }

        var invitation = new Invitation(email, normalized, tenant.Id, request.Role!.Value, admin.Id, now, now + options.Value.ValidFor);
        invitation.Sent(invitation.ExpiresAt);
        db.Invitations.Add(invitation);
        InvitationEmails.Add(db, invitation, Model(invitation, tenant.Name, admin), now);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (db.IsUniqueViolation(e))
        {
            return (null, InvitationRefusal.AlreadyInvited);
        }

        return (View(invitation, now), null);
    }

    /// <summary>A new email with a new link and a fresh validity period; the earlier link stops working.</summary>
    public async Task<(InvitationView? Invitation, InvitationRefusal? Refusal)> ResendAsync(CurrentUser admin, Guid id, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ProvisioningDbContext>();
        if (await FindVisibleAsync(db, admin, id, cancellationToken) is not { } invitation)
        {
            return (null, InvitationRefusal.NotFound);
        }

        if (invitation.AcceptedAt is not null || invitation.RevokedAt is not null)
        {
            return (null, InvitationRefusal.NotPending);
        }

        var tenant = await db.Tenants.SingleAsync(t => t.Id == invitation.TenantId, cancellationToken);
        if (!tenant.IsActive)
        {
            return (null, InvitationRefusal.TenantInactive);
        }

        var now = time.GetUtcNow();
        invitation.Sent(now + options.Value.ValidFor);
        InvitationEmails.Add(db, invitation, Model(invitation, tenant.Name, admin), now);
        await db.SaveChangesAsync(cancellationToken);
        return (View(invitation, now), null);
    }

    public async Task<(InvitationView? Invitation, InvitationRefusal? Refusal)> RevokeAsync(CurrentUser admin, Guid id, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ProvisioningDbContext>();
        if (await FindVisibleAsync(db, admin, id, cancellationToken) is not { } invitation)
        {
            return (null, InvitationRefusal.NotFound);
        }

        if (invitation.AcceptedAt is not null)
        {
            return (null, InvitationRefusal.NotPending);
        }

        var now = time.GetUtcNow();
        invitation.Revoke(invitation.RevokedAt ?? now);
        await db.SaveChangesAsync(cancellationToken);
        return (View(invitation, now), null);
    }

    /// <summary>Who a link is for, or why it no longer works.</summary>
    public async Task<(InvitationLink? Link, InvitationLinkProblem? Problem)> FindAsync(string? token, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ProvisioningDbContext>();
        var (invitation, problem) = await FindAsync(db, token, cancellationToken);
        if (invitation is null)
        {
            return (null, problem);
        }

        var tenantName = await db.Tenants.Where(t => t.Id == invitation.TenantId).Select(t => t.Name).SingleAsync(cancellationToken);
        return (new InvitationLink(invitation.Id, invitation.Email, tenantName, invitation.Role, invitation.ExpiresAt), null);
    }

    /// <summary>
    /// Makes the invited account with <paramref name="password"/>; the token is spent in the same save. Password rules
    /// that fail come back as Identity states them; an address that got an account meanwhile as <c>AccountExists</c>.
    /// </summary>
    public async Task<AcceptOutcome> AcceptAsync(string? token, string password, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ProvisioningDbContext>();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        var (invitation, problem) = await FindAsync(db, token, cancellationToken);
        if (invitation is null)
        {
            return new AcceptOutcome(null, problem, []);
        }

        var user = NewUser(invitation);
        var passwordErrors = await users.ProblemsAsync(user, password);
        if (passwordErrors.Count > 0)
        {
            return new AcceptOutcome(null, null, passwordErrors);
        }

        return await CreateAccountAsync(db, users, invitation, user, password);
    }

    /// <summary>
    /// A first single sign-on by someone whose verified address has a pending invitation: the account is made without a
    /// password (the identity provider signs them in). Null when there is no such invitation.
    /// </summary>
    public async Task<PortalUser?> AcceptForSingleSignOnAsync(string normalizedEmail, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ProvisioningDbContext>();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        var now = time.GetUtcNow();
        var invitation = (await Open(db.Invitations).Where(i => i.NormalizedEmail == normalizedEmail).ToListAsync(cancellationToken))
            .FirstOrDefault(i => i.StatusAt(now) == InvitationStatus.Pending);
        if (invitation is null || !await db.Tenants.IsActiveAsync(invitation.TenantId, cancellationToken))
        {
            return null;
        }

        var outcome = await CreateAccountAsync(db, users, invitation, NewUser(invitation), password: null);
        return outcome.User;
    }

    private async Task<AcceptOutcome> CreateAccountAsync(ProvisioningDbContext db, UserManager<PortalUser> users, Invitation invitation, PortalUser user, string? password)
    {
        // The invitation is spent by the same save that makes the account (the user store saves the context's changes).
        invitation.Accept(user.Id, time.GetUtcNow());
        var created = password is null ? await users.CreateAsync(user) : await users.CreateAsync(user, password);
        if (created.Succeeded)
        {
            return new AcceptOutcome(user, null, []);
        }

        if (created.Errors.Any(e => e.Code is nameof(IdentityErrorDescriber.DuplicateUserName) or nameof(IdentityErrorDescriber.DuplicateEmail)))
        {
            return new AcceptOutcome(null, null, [], AccountExists: true);
        }

        throw new InvalidOperationException($"The invited account could not be made: {string.Join(" ", created.Errors.Select(e => e.Description))}");
    }

    private async Task<(Invitation? Invitation, InvitationLinkProblem? Problem)> FindAsync(ProvisioningDbContext db, string? token, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 100)
        {
            return (null, InvitationLinkProblem.NotValid);
        }

        var hash = Invitation.Hash(token);
        if (await db.Invitations.SingleOrDefaultAsync(i => i.TokenHash == hash, cancellationToken) is not { } invitation)
        {
            return (null, InvitationLinkProblem.NotValid);
        }

        return invitation.StatusAt(time.GetUtcNow()) switch
        {
            InvitationStatus.Pending when !await db.Tenants.IsActiveAsync(invitation.TenantId, cancellationToken)
                => (null, InvitationLinkProblem.TenantInactive),
            InvitationStatus.Pending => (invitation, null),
            InvitationStatus.Expired => (null, InvitationLinkProblem.Expired),
            InvitationStatus.Accepted => (null, InvitationLinkProblem.Used),
            _ => (null, InvitationLinkProblem.NotValid),
        };
    }

    private static PortalUser NewUser(Invitation invitation) => new()
    {
        UserName = invitation.Email,
        Email = invitation.Email,
        // The link reached this mailbox: the address is confirmed.
        EmailConfirmed = true,
        TenantId = invitation.TenantId,
        Role = invitation.Role,
    };

    private InvitationModel Model(Invitation invitation, string tenantName, CurrentUser admin) => new(
        invitation.Id, tenantName, invitation.Role == PortalRole.TenantAdmin ? "tenant admin" : "member", admin.Email, invitation.ExpiresAt,
        singleSignOn.Value.IsConfigured ? singleSignOn.Value.DisplayName : null);

    private static InvitationView View(Invitation i, DateTimeOffset now) =>
        new(i.Id, i.Email, i.Role, i.TenantId, i.StatusAt(now), i.CreatedAt, i.ExpiresAt, i.Sends);

    private static Task<Invitation?> FindVisibleAsync(ProvisioningDbContext db, CurrentUser admin, Guid id, CancellationToken cancellationToken) =>
        Visible(db.Invitations, admin).SingleOrDefaultAsync(i => i.Id == id, cancellationToken);

    /// <summary>Neither accepted nor revoked (pending, or expired): the rows the unique index on the address covers.</summary>
    private static IQueryable<Invitation> Open(IQueryable<Invitation> invitations) =>
        invitations.Where(i => i.AcceptedAt == null && i.RevokedAt == null);

    private static IQueryable<Invitation> Visible(IQueryable<Invitation> invitations, CurrentUser admin) =>
        admin.Role == PortalRole.PlatformAdmin ? invitations : invitations.Where(i => i.TenantId == admin.TenantId);
}

/// <summary>What accepting did: the account, or why not (a link problem, failed password rules, or an existing account).</summary>
public sealed record AcceptOutcome(PortalUser? User, InvitationLinkProblem? Problem, IReadOnlyList<string> PasswordErrors, bool AccountExists = false);
