using Microsoft.AspNetCore.Identity;
using Portal.Features.Identity;
using Provisioning.Core.Identity;
using Provisioning.Core.Persistence;

namespace Microsoft.Extensions.DependencyInjection;

public static class PortalIdentityExtensions
{
    private const string PageOrApiScheme = "PortalPageOrApi";

    /// <summary>
    /// ASP.NET Core Identity on the portal database: the cookie for the UI, bearer tokens for the API,
    /// and the role policies. API calls without credentials get 401/403, never a redirect to the sign-in page.
    /// </summary>
    public static WebApplicationBuilder AddPortalIdentity(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        // Identity's stores want a scoped context; it comes from the same (pooled) factory as everything else.
        services.AddScoped(sp => sp.GetRequiredService<Microsoft.EntityFrameworkCore.IDbContextFactory<ProvisioningDbContext>>().CreateDbContext());
        services.AddIdentityApiEndpoints<PortalUser>(options =>
            {
                options.User.RequireUniqueEmail = true;
                options.SignIn.RequireConfirmedAccount = false;
            })
            .AddEntityFrameworkStores<ProvisioningDbContext>()
            .AddSignInManager<PortalSignInManager>()
            .AddClaimsPrincipalFactory<PortalClaimsPrincipalFactory>();
        // A disabled user, a changed role or a deactivated tenant ends cookie sessions within a minute, as circuits and bearer tokens.
        services.Configure<SecurityStampValidatorOptions>(options => options.ValidationInterval = SessionCheck.Recheck);
        services.AddSingleton<SessionCheck>();
        services.ConfigureApplicationCookie(options =>
        {
            options.LoginPath = "/signin";
            options.AccessDeniedPath = "/signin";
            options.Events.OnRedirectToLogin = context => ApiAwareRedirect(context, StatusCodes.Status401Unauthorized);
            options.Events.OnRedirectToAccessDenied = context => ApiAwareRedirect(context, StatusCodes.Status403Forbidden);
        });
        // Identity's API endpoints make the bearer scheme answer challenges (a bare 401). Pages need the cookie's
        // redirect to the sign-in page instead; the API keeps its 401/403.
        services.AddAuthentication(options =>
            {
                options.DefaultChallengeScheme = PageOrApiScheme;
                options.DefaultForbidScheme = PageOrApiScheme;
            })
            .AddPolicyScheme(PageOrApiScheme, "Cookie for pages, bearer for the API", options =>
                options.ForwardDefaultSelector = context => context.Request.Path.StartsWithSegments("/api")
                    ? IdentityConstants.BearerScheme
                    : IdentityConstants.ApplicationScheme);
        PortalPolicies.Add(services.AddAuthorizationBuilder());
        services.AddCascadingAuthenticationState();
        // Before AddRazorComponents, whose default provider is only added when none is registered.
        services.AddScoped<Microsoft.AspNetCore.Components.Authorization.AuthenticationStateProvider, RevalidatingIdentityAuthenticationStateProvider>();
        services.AddHttpContextAccessor();
        return builder;
    }

    private static Task ApiAwareRedirect(Microsoft.AspNetCore.Authentication.RedirectContext<Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationOptions> context, int status)
    {
        if (context.Request.Path.StartsWithSegments("/api"))
        {
            context.Response.StatusCode = status;
            return Task.CompletedTask;
        }

        context.Response.Redirect(context.RedirectUri);
        return Task.CompletedTask;
    }
}
