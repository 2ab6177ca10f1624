using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Portal.Api;
using Portal.Features.Identity;

namespace Portal.Features.Invitations;

/// <summary>The accept request of an invitation link.</summary>
public sealed record InvitationAcceptance(string? Token, string? Password);

/// <summary>Who an accepted invitation made.</summary>
public sealed record AcceptedInvitation(string UserId, string Email, string Tenant, Provisioning.Core.Identity.PortalRole Role);

/// <summary>
/// <c>/api/v1/admin/invitations</c> (tenant admins for their tenant, platform admins for any; members get 403) and
/// <c>POST /api/v1/auth/accept-invitation</c> (anonymous: the token is the credential).
/// </summary>
public static class InvitationsApi
{
    public static IEndpointRouteBuilder MapInvitationsApi(this IEndpointRouteBuilder app)
    {
        var invitations = app.MapGroup("/api/v1/admin/invitations")
            .WithTags("Users")
            .RequireAuthorization(PortalPolicies.UserAdmin);
        invitations.MapPost("/", CreateAsync);
        invitations.MapGet("/", ListAsync);
        invitations.MapPost("/{id:guid}/resend", ResendAsync);
        invitations.MapDelete("/{id:guid}", RevokeAsync);
        app.MapPost("/api/v1/auth/accept-invitation", AcceptAsync)
            .WithTags("Authentication")
            .AllowAnonymous();
        return app;
    }

    public static async Task<Results<Created<InvitationView>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        NewInvitation? body, ClaimsPrincipal principal, InvitationDirectory directory, CancellationToken cancellationToken)
    {
        var admin = CurrentUser.From(principal)!;
        var errors = InvitationDirectory.Check(body);
        if (body?.Tenant is null && admin.Role == Provisioning.Core.Identity.PortalRole.PlatformAdmin)
        {
            errors["tenant"] = ["Name the tenant to invite into (its id, for example initech)."];
        }

        if (errors.Count > 0)
        {
            return ApiProblems.Invalid(errors);
        }

        var (invitation, refusal) = await directory.CreateAsync(admin, body!, cancellationToken);
        return invitation is not null
            ? TypedResults.Created($"/api/v1/admin/invitations/{invitation.Id}", invitation)
            : Refused(refusal!.Value);
    }

    /// <param name="all">Also the accepted and revoked ones; by default only those still open (pending or expired).</param>
    public static async Task<Ok<List<InvitationView>>> ListAsync(bool? all, ClaimsPrincipal principal, InvitationDirectory directory, CancellationToken cancellationToken) =>
        TypedResults.Ok(await directory.ListAsync(CurrentUser.From(principal)!, openOnly: all != true, cancellationToken));

    public static async Task<Results<Ok<InvitationView>, ProblemHttpResult>> ResendAsync(
        Guid id, ClaimsPrincipal principal, InvitationDirectory directory, CancellationToken cancellationToken)
    {
        var (invitation, refusal) = await directory.ResendAsync(CurrentUser.From(principal)!, id, cancellationToken);
        return invitation is not null ? TypedResults.Ok(invitation) : Refused(refusal!.Value);
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> RevokeAsync(
        Guid id, ClaimsPrincipal principal, InvitationDirectory directory, CancellationToken cancellationToken)
    {
        var (invitation, refusal) = await directory.RevokeAsync(CurrentUser.From(principal)!, id, cancellationToken);
        return invitation is not null ? TypedResults.NoContent() : Refused(refusal!.Value);
    }

    public static async Task<Results<Ok<AcceptedInvitation>, ValidationProblem, ProblemHttpResult>> AcceptAsync(
        InvitationAcceptance? body, InvitationDirectory directory, IOptions<LocalPasswordOptions> localPasswords,
        IOptions<IdentityOptions> identity, CancellationToken cancellationToken)
    {
        if (!localPasswords.Value.Enabled)
        {
            return ApiProblems.Problem(StatusCodes.Status403Forbidden, "local_passwords_off",
                "This portal signs people in with its identity provider only: open the invitation link and sign in there.");
        }

        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrEmpty(body?.Token))
        {
            errors["token"] = ["Give the token from the invitation link."];
        }

        if (string.IsNullOrEmpty(body?.Password))
        {
            errors["password"] = [$"Choose a password. {PasswordRules(identity.Value.Password)}"];
        }

        if (errors.Count > 0)
        {
            return ApiProblems.Invalid(errors);
        }

        var outcome = await directory.AcceptAsync(body!.Token, body.Password!, cancellationToken);
        if (outcome.User is { } user)
        {
            return TypedResults.Ok(new AcceptedInvitation(user.Id, user.Email!, user.TenantId!, user.Role));
        }

        if (outcome.Problem is { } problem)
        {
            return ApiProblems.Problem(StatusCodes.Status410Gone, Code(problem), Describe(problem));
        }

        return outcome.AccountExists
            ? ApiProblems.Problem(StatusCodes.Status409Conflict, "account_exists", "There is an account for this address already: sign in with it.")
            : ApiProblems.Invalid("password", string.Join(" ", outcome.PasswordErrors));
    }

    /// <summary>Why a link no longer works, in the words the page and the API both use.</summary>
    public static string Describe(InvitationLinkProblem problem) => problem switch
    {
        InvitationLinkProblem.Used => "This invitation was accepted already. Sign in with the account it made.",
        InvitationLinkProblem.Expired => "This invitation has run out. Ask the admin who invited you to send it again.",
        InvitationLinkProblem.TenantInactive => "The organisation this invitation is for no longer has access to the portal. Ask your admin.",
        _ => "This invitation link does not work: it was withdrawn, or a newer invitation email replaced it. Use the link in the newest email, or ask your admin to send it again.",
    };

    /// <summary>Identity's password rules as people read them.</summary>
    public static string PasswordRules(PasswordOptions rules)
    {
        var needs = new List<string>();
        if (rules.RequireUppercase)
        {
            needs.Add("an upper-case letter");
        }

        if (rules.RequireLowercase)
        {
            needs.Add("a lower-case letter");
        }

        if (rules.RequireDigit)
        {
            needs.Add("a digit");
        }

        if (rules.RequireNonAlphanumeric)
        {
            needs.Add("a symbol");
        }

        return needs.Count == 0
            ? $"At least {rules.RequiredLength} characters."
            : $"At least {rules.RequiredLength} characters, with {string.Join(", ", needs[..^1])}{(needs.Count > 1 ? " and " : "")}{needs[^1]}.";
    }

    private static string Code(InvitationLinkProblem problem) => problem switch
    {
        InvitationLinkProblem.Used => "invitation_used",
        InvitationLinkProblem.Expired => "invitation_expired",
        InvitationLinkProblem.TenantInactive => "tenant_inactive",
        _ => "invitation_not_valid",
    };

    private static ProblemHttpResult Refused(InvitationRefusal refusal) => refusal switch
    {
        InvitationRefusal.NotFound => ApiProblems.NotFound("invitation"),
        InvitationRefusal.OtherTenant => ApiProblems.Problem(StatusCodes.Status403Forbidden, "other_tenant",
            "Tenant admins invite people into their own tenant only."),
        InvitationRefusal.UnknownTenant => ApiProblems.Problem(StatusCodes.Status422UnprocessableEntity, "unknown_tenant",
            "There is no tenant with this id.", new Dictionary<string, object?> { ["field"] = "tenant" }),
        InvitationRefusal.TenantInactive => ApiProblems.Problem(StatusCodes.Status409Conflict, "tenant_inactive",
            "The tenant is deactivated: reactivate it before inviting people into it."),
        InvitationRefusal.AccountExists => ApiProblems.Problem(StatusCodes.Status409Conflict, "account_exists",
            "This address has an account already."),
        InvitationRefusal.AlreadyInvited => ApiProblems.Problem(StatusCodes.Status409Conflict, "already_invited",
            "This address has a pending invitation: send that one again instead."),
        _ => ApiProblems.Problem(StatusCodes.Status409Conflict, "invitation_not_pending",
            "The invitation was accepted or revoked already."),
    };
}
