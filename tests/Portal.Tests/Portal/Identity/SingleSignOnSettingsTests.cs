using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Portal.Tests.TestInfrastructure;
using Provisioning.Core.Identity;
using static Portal.Tests.TestInfrastructure.ApiTestExtensions;
using static Portal.Tests.TestInfrastructure.PortalApiFactory;

namespace Portal.Tests.Portal.Identity;

/// <summary>A portal that makes users from the provider's tenant and role claims.</summary>
public sealed class ClaimsSingleSignOnPortal<TPortal> : SingleSignOnPortal<TPortal>
    where TPortal : PortalApiFactory, new()
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new("Authentication:Oidc:TenantClaim", "tenant"),
        new("Authentication:Oidc:RoleClaim", "portal_role"),
    ];
}

/// <summary>A portal with local passwords switched off: the provider is the only way in.</summary>
public sealed class ProviderOnlyPortal<TPortal> : SingleSignOnPortal<TPortal>
    where TPortal : PortalApiFactory, new()
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings => [new("Authentication:LocalPasswords", "false")];
}

/// <summary>Issue 14: with TenantClaim and RoleClaim configured, a first sign-in is provisioned into the tenant and role its claims name.</summary>
public abstract class ClaimsSingleSignOnTests<TPortal>(ClaimsSingleSignOnPortal<TPortal> sso)
    where TPortal : PortalApiFactory, new()
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AFirstSignIn_IsMadeAUserOfTheTenantAndRoleItsClaimsName()
    {
        var email = $"claims-{Guid.NewGuid():N}@globex.test";
        sso.AddProviderUser(email, claims: new() { ["tenant"] = ["globex"], ["portal_role"] = ["staff", "tenant_admin"] });
        using var browser = sso.Browser();

        (await browser.SignInAsync(email, SingleSignOnPortal<TPortal>.ProviderPassword)).ShouldBe("/");

        (await browser.Http.GetAsync("/api/v1/admin/workspaces", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
        await using var db = await sso.Portal.DbAsync();
        var user = await db.Users.AsNoTracking().SingleAsync(u => u.Email == email, Ct);
        (user.TenantId, user.Role).ShouldBe(("globex", PortalRole.TenantAdmin));
    }

    public static TheoryData<string, string> UnusableClaims => new()
    {
        { "no-such-tenant", "member" },
        { "globex", "platform_admin" },
        { "globex", "owner" },
    };

    [Theory]
    [MemberData(nameof(UnusableClaims))]
    public async Task ClaimsNamingNoActiveTenantOrNoTenantRole_AreRefused(string tenant, string role)
    {
        var email = $"claims-{Guid.NewGuid():N}@globex.test";
        sso.AddProviderUser(email, claims: new() { ["tenant"] = [tenant], ["portal_role"] = [role] });
        using var browser = sso.Browser();

        (await browser.SignInAsync(email, SingleSignOnPortal<TPortal>.ProviderPassword)).ShouldBe("/account/sign-in-refused?reason=unknown");

        await using var db = await sso.Portal.DbAsync();
        (await db.Users.CountAsync(u => u.Email == email, Ct)).ShouldBe(0);
    }
}

/// <summary>Issue 14: <c>Authentication:LocalPasswords=false</c> leaves the provider as the only way in.</summary>
public abstract class ProviderOnlyTests<TPortal>(ProviderOnlyPortal<TPortal> sso)
    where TPortal : PortalApiFactory, new()
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task NoPasswordSignsIn_TheSignInPageOffersOnlyTheProvider_AndTheProviderStillWorks()
    {
        using var anonymous = sso.Portal.Anonymous();
        using (var login = await anonymous.PostAsJsonAsync("/api/v1/auth/login", new { email = AcmeMember, password = PortalApiFactory.Password }, Ct))
        {
            login.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        }

        using var signIn = await anonymous.GetAsync("/signin", Ct);
        // The form's redirect to the provider is a form action the browser checks against the policy.
        signIn.Headers.GetValues("Content-Security-Policy").Single().ShouldEndWith($"form-action 'self' {sso.Provider.Authority.GetLeftPart(UriPartial.Authority)}");
        var page = await signIn.Content.ReadAsStringAsync(Ct);
        page.ShouldContain("Sign in with Initech ID");
        page.ShouldNotContain("signin-password");

        using (var accept = await anonymous.PostAsJsonAsync("/api/v1/auth/accept-invitation", new { token = "any", password = "Whatever-pass-1" }, Ct))
        {
            await accept.ShouldBeProblemAsync(HttpStatusCode.Forbidden, "local_passwords_off");
        }

        sso.AddProviderUser(AcmeMember);
        using var browser = sso.Browser();
        (await browser.SignInAsync(AcmeMember, SingleSignOnPortal<TPortal>.ProviderPassword)).ShouldBe("/");
        (await browser.Http.GetAsync("/api/v1/workspaces", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }
}

public sealed class ClaimsSingleSignOnTestsOnSqlite(ClaimsSingleSignOnPortal<PortalApiFactory> sso)
    : ClaimsSingleSignOnTests<PortalApiFactory>(sso), IClassFixture<ClaimsSingleSignOnPortal<PortalApiFactory>>;

public sealed class ClaimsSingleSignOnTestsOnPostgres(ClaimsSingleSignOnPortal<PostgresPortalApiFactory> sso)
    : ClaimsSingleSignOnTests<PostgresPortalApiFactory>(sso), IClassFixture<ClaimsSingleSignOnPortal<PostgresPortalApiFactory>>;

public sealed class ProviderOnlyTestsOnSqlite(ProviderOnlyPortal<PortalApiFactory> sso)
    : ProviderOnlyTests<PortalApiFactory>(sso), IClassFixture<ProviderOnlyPortal<PortalApiFactory>>;

public sealed class ProviderOnlyTestsOnPostgres(ProviderOnlyPortal<PostgresPortalApiFactory> sso)
    : ProviderOnlyTests<PostgresPortalApiFactory>(sso), IClassFixture<ProviderOnlyPortal<PostgresPortalApiFactory>>;
