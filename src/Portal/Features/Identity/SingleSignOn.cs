using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Portal.Features.Invitations;
using Provisioning.Core;
using Provisioning.Core.Identity;
using Provisioning.Core.Persistence;
using Provisioning.Core.Workspaces;

namespace Portal.Features.Identity;

/// <summary>Why a single sign-on did not let someone in, as the refusal page explains it.</summary>
public enum SingleSignOnRefusal
{
    /// <summary>The provider's answer did not arrive or did not read (cancelled, expired, tampered with).</summary>
    Failed,

    /// <summary>No email, or one the provider does not vouch for.</summary>
    Unverified,

    /// <summary>Neither an account, an invitation nor (when configured) claims the portal can make an account from.</summary>
    Unknown,

    /// <summary>The account is disabled or its tenant deactivated.</summary>
    NotAllowed,
}

/// <summary>
/// Single sign-on with an OpenID Connect provider (issue 14): the "Sign in with …" button, and what happens when someone
/// comes back signed in. A known login signs in; a first one is matched by verified email to an account or a pending
/// invitation, or made from the tenant and role claims when those are configured; anyone else is refused with a page
/// that says why. The portal's own rules (disabled users, deactivated tenants) apply as for passwords.
/// </summary>
public static partial class SingleSignOn
{
    public const string StartPath = "/account/single-sign-on";
    public const string CallbackPath = "/account/single-sign-on/done";
    public const string RefusedPath = "/account/sign-in-refused";

    public static WebApplicationBuilder AddSingleSignOn(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<SingleSignOnOptions>().BindConfiguration(SingleSignOnOptions.Section).ValidateDataAnnotations();
        builder.Services.AddOptions<LocalPasswordOptions>()
            .Configure<IConfiguration>((options, configuration) => options.Enabled = configuration.GetValue(LocalPasswordOptions.Key, true));
        var settings = builder.Configuration.GetSection(SingleSignOnOptions.Section).Get<SingleSignOnOptions>() ?? new SingleSignOnOptions();
        if (!settings.IsConfigured)
        {
            return builder;
        }

        builder.Services.AddAuthentication().AddOpenIdConnect(SingleSignOnOptions.Scheme, settings.DisplayName, options =>
        {
            options.SignInScheme = IdentityConstants.ExternalScheme;
            options.Authority = settings.Authority;
            options.ClientId = settings.ClientId;
            options.ClientSecret = settings.ClientSecret;
            options.RequireHttpsMetadata = settings.RequireHttpsMetadata;
            options.ResponseType = "code";
            options.UsePkce = true;
            // The code comes back in the query of a top-level GET, which carries SameSite=Lax cookies: the correlation
            // and nonce cookies need neither SameSite=None nor, on a plain-HTTP test setup, Secure. PKCE and the state
            // keep the code safe in the address bar's history.
            options.ResponseMode = OpenIdConnectResponseMode.Query;
            options.CorrelationCookie.SameSite = SameSiteMode.Lax;
            options.CorrelationCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            options.NonceCookie.SameSite = SameSiteMode.Lax;
            options.NonceCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            options.CallbackPath = "/signin-oidc";
            options.SignedOutCallbackPath = "/signout-callback-oidc";
            options.Scope.Clear();
            foreach (var scope in new[] { "openid", "profile", "email" }.Concat(settings.Scopes).Distinct(StringComparer.Ordinal))
            {
                options.Scope.Add(scope);
            }

            // The provider's own claim names (email, email_verified, the tenant and role claims), not WS-* URIs.
            options.MapInboundClaims = false;
            options.GetClaimsFromUserInfoEndpoint = true;
            options.ClaimActions.MapAll();
            options.SaveTokens = false;
            options.Events.OnRemoteFailure = context =>
            {
                context.Response.Redirect($"{RefusedPath}?reason={SingleSignOnRefusal.Failed.ToString().ToLowerInvariant()}");
                context.HandleResponse();
                return Task.CompletedTask;
            };
        });
        return builder;
    }

    /// <summary>
    /// The sign-in settings, judged before the portal starts: a bad value stops it with one line naming the setting.
    /// Switching local passwords off without an identity provider would leave nobody able to sign in.
    /// </summary>
    public static void CheckSignInConfiguration(this IServiceProvider services) => InvalidConfigurationException.Check(() =>
    {
        var singleSignOn = services.GetRequiredService<IOptions<SingleSignOnOptions>>().Value;
        _ = services.GetRequiredService<IOptions<InvitationOptions>>().Value;
        if (!services.GetRequiredService<IOptions<LocalPasswordOptions>>().Value.Enabled && !singleSignOn.IsConfigured)
        {
            throw new InvalidConfigurationException(
                $"{LocalPasswordOptions.Key}=false needs single sign-on ({SingleSignOnOptions.Section}:Authority): without either, nobody can sign in.");
        }
    });

    public static IEndpointRouteBuilder MapSingleSignOn(this IEndpointRouteBuilder app)
    {
        // A form post from the sign-in page (antiforgery-checked, as every form), so no other site can start a sign-in.
        app.MapPost(StartPath, Start).ExcludeFromDescription().AllowAnonymous();
        app.MapGet(CallbackPath, CompleteAsync).ExcludeFromDescription().AllowAnonymous();
        return app;
    }

    private static IResult Start([FromForm(Name = "returnUrl")] string? returnUrl, IOptions<SingleSignOnOptions> options, SignInManager<PortalUser> signInManager)
    {
        if (!options.Value.IsConfigured)
        {
            return Results.NotFound();
        }

        var done = $"{CallbackPath}?returnUrl={Uri.EscapeDataString(SignIn.SafeReturnUrl(returnUrl))}";
        return Results.Challenge(signInManager.ConfigureExternalAuthenticationProperties(SingleSignOnOptions.Scheme, done), [SingleSignOnOptions.Scheme]);
    }

    private static async Task<IResult> CompleteAsync(
        string? returnUrl,
        HttpContext context,
        SignInManager<PortalUser> signInManager,
        UserManager<PortalUser> users,
        InvitationDirectory invitations,
        ProvisioningDbContext db,
        IOptions<SingleSignOnOptions> options,
        ILoggerFactory loggers,
        CancellationToken cancellationToken)
    {
        var logger = loggers.CreateLogger(typeof(SingleSignOn));
        var info = await signInManager.GetExternalLoginInfoAsync();
        if (info is null)
        {
            return Refuse(SingleSignOnRefusal.Failed);
        }

        var provider = info.ProviderDisplayName ?? info.LoginProvider;
        var result = await signInManager.ExternalLoginSignInAsync(info.LoginProvider, info.ProviderKey, isPersistent: false, bypassTwoFactor: true);
        if (!result.Succeeded && !result.IsNotAllowed && !result.IsLockedOut)
        {
            // A first sign-in with this provider's account: match it, or make it, or refuse it.
            var email = info.Principal.FindFirstValue("email");
            if (string.IsNullOrWhiteSpace(email) || PlainAddress.Problem(email) is not null
                || !string.Equals(info.Principal.FindFirstValue("email_verified"), "true", StringComparison.OrdinalIgnoreCase))
            {
                LogRefused(logger, provider, email ?? "(none)", SingleSignOnRefusal.Unverified);
                return await RefuseSignedOutAsync(SingleSignOnRefusal.Unverified);
            }

            var user = await users.FindByEmailAsync(email)
                ?? await FromInvitationAsync(users.NormalizeEmail(email))
                ?? await FromClaimsAsync(info.Principal, email, options.Value, users, db, cancellationToken);
            if (user is null)
            {
                LogRefused(logger, provider, email, SingleSignOnRefusal.Unknown);
                return await RefuseSignedOutAsync(SingleSignOnRefusal.Unknown);
            }

            var linked = await users.AddLoginAsync(user, info);
            if (!linked.Succeeded)
            {
                throw new InvalidOperationException($"The sign-in of {email} could not be linked: {string.Join(" ", linked.Errors.Select(e => e.Description))}");
            }

            LogLinked(logger, email, provider);
            result = await signInManager.ExternalLoginSignInAsync(info.LoginProvider, info.ProviderKey, isPersistent: false, bypassTwoFactor: true);
        }

        if (!result.Succeeded)
        {
            return await RefuseSignedOutAsync(SingleSignOnRefusal.NotAllowed);
        }

        return Results.LocalRedirect(SignIn.SafeReturnUrl(returnUrl));

        // A refused sign-in leaves nothing of the provider's answer behind (its external cookie).
        async Task<IResult> RefuseSignedOutAsync(SingleSignOnRefusal reason)
        {
            await context.SignOutAsync(IdentityConstants.ExternalScheme);
            return Refuse(reason);
        }

        // The invitation makes the account in a context of its own; linking the login happens in this request's.
        async Task<PortalUser?> FromInvitationAsync(string normalizedEmail) =>
            await invitations.AcceptForSingleSignOnAsync(normalizedEmail, cancellationToken) is { } made ? await users.FindByIdAsync(made.Id) : null;
    }

    /// <summary>
    /// A user of the tenant and role the provider's claims name, when the portal is set up to trust them; null when it
    /// is not, or the claims name no active tenant or no role a tenant user can have.
    /// </summary>
    private static async Task<PortalUser?> FromClaimsAsync(
        ClaimsPrincipal principal, string email, SingleSignOnOptions options, UserManager<PortalUser> users, ProvisioningDbContext db, CancellationToken cancellationToken)
    {
        if (!options.ProvisionsFromClaims)
        {
            return null;
        }

        var tenant = principal.FindAll(options.TenantClaim!).Select(c => c.Value).ToList();
        var roles = principal.FindAll(options.RoleClaim!).Select(c => c.Value).ToHashSet(StringComparer.Ordinal);
        PortalRole? role = roles.Contains("tenant_admin") ? PortalRole.TenantAdmin : roles.Contains("member") ? PortalRole.Member : null;
        if (tenant is not [var tenantId] || role is null
            || !await db.Tenants.IsActiveAsync(tenantId, cancellationToken))
        {
            return null;
        }

        var user = new PortalUser { UserName = email, Email = email, EmailConfirmed = true, TenantId = tenantId, Role = role.Value };
        var created = await users.CreateAsync(user);
        return created.Succeeded ? user : null;
    }

    private static IResult Refuse(SingleSignOnRefusal reason) =>
        Results.LocalRedirect($"{RefusedPath}?reason={reason.ToString().ToLowerInvariant()}");

    [LoggerMessage(Level = LogLevel.Warning, Message = "Single sign-on with {Provider} refused {Email}: {Reason}")]
    private static partial void LogRefused(ILogger logger, string provider, string email, SingleSignOnRefusal reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Email} signed in with {Provider} for the first time; the login is linked to their account")]
    private static partial void LogLinked(ILogger logger, string email, string provider);
}
