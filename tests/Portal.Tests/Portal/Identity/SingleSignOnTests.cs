using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Tests.TestInfrastructure;
using Provisioning.Core.Identity;
using TestIdentityProvider;
using static Portal.Tests.TestInfrastructure.ApiTestExtensions;
using static Portal.Tests.TestInfrastructure.PortalApiFactory;
using TestIdp = TestIdentityProvider.TestIdentityProvider;

namespace Portal.Tests.Portal.Identity;

/// <summary>
/// A portal signing people in with a real OpenID Connect provider (OpenIddict, started here) and the portal's settings
/// for it; <typeparamref name="TPortal"/> picks the database.
/// </summary>
public class SingleSignOnPortal<TPortal> : IAsyncLifetime
    where TPortal : PortalApiFactory, new()
{
    public const string ProviderPassword = "Provider-pass-1";

    public TestIdp Provider { get; private set; } = default!;

    public TPortal Portal { get; } = new();

    /// <summary>The portal's settings beyond the provider's address and client.</summary>
    protected virtual IEnumerable<KeyValuePair<string, string?>> Settings => [];

    public async ValueTask InitializeAsync()
    {
        Provider = await TestIdp.StartAsync(new TestIdentityProviderOptions());
        Portal.Settings["Authentication:Oidc:Authority"] = Provider.Authority.ToString();
        Portal.Settings["Authentication:Oidc:ClientId"] = "portal";
        Portal.Settings["Authentication:Oidc:ClientSecret"] = "portal-test-secret";
        Portal.Settings["Authentication:Oidc:DisplayName"] = "Initech ID";
        Portal.Settings["Authentication:Oidc:RequireHttpsMetadata"] = "false";
        foreach (var (key, value) in Settings)
        {
            Portal.Settings[key] = value;
        }

        using var client = Portal.Anonymous();
        await Provider.AddRedirectUriAsync(new Uri(client.BaseAddress!, "/signin-oidc"));
    }

    /// <summary>Someone the provider knows, with a verified address unless said otherwise.</summary>
    public TestIdentityUser AddProviderUser(string email, bool verified = true, Dictionary<string, string[]>? claims = null)
    {
        var user = new TestIdentityUser($"sub-{Guid.NewGuid():N}", email, ProviderPassword, verified) { Claims = claims ?? [] };
        Provider.AddUser(user);
        return user;
    }

    public SingleSignOnClient Browser() => new(Portal.Browser());

    public async ValueTask DisposeAsync()
    {
        await Portal.DisposeAsync();
        await Provider.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}

/// <summary>
/// Issue 14, single sign-on: a first sign-in is matched by verified email to an invitation or an account; anyone else
/// is refused with a page that says why; disabled accounts stay out; a later sign-in uses the linked login.
/// </summary>
public abstract class SingleSignOnTests<TPortal>(SingleSignOnPortal<TPortal> sso)
    where TPortal : PortalApiFactory, new()
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private TPortal Portal => sso.Portal;

    [Fact]
    public async Task AnInvitedPerson_SigningInWithTheProvider_GetsTheInvitedAccount_AndLaterSignInsUseTheSameLogin()
    {
        var email = $"sso-{Guid.NewGuid():N}"[..16] + "@acme.test";
        using var admin = await Portal.LoginAsync(AcmeAdmin);
        using (var invited = await admin.PostAsJsonAsync("/api/v1/admin/invitations", new { email, role = "tenant_admin" }, Ct))
        {
            invited.StatusCode.ShouldBe(HttpStatusCode.Created);
        }

        sso.AddProviderUser(email);
        var tokensBefore = sso.Provider.TokensIssued;
        using var browser = sso.Browser();

        (await browser.SignInAsync(email, SingleSignOnPortal<TPortal>.ProviderPassword, "/admin")).ShouldBe("/admin");

        sso.Provider.TokensIssued.ShouldBe(tokensBefore + 1, "the code was exchanged at the provider");
        (await browser.Http.GetAsync("/api/v1/admin/workspaces", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK, "signed in, as a tenant admin of acme");
        await using (var db = await Portal.DbAsync())
        {
            var user = await db.Users.AsNoTracking().SingleAsync(u => u.Email == email, Ct);
            (user.TenantId, user.Role, user.PasswordHash, user.LastSignInAt is not null).ShouldBe(("acme", PortalRole.TenantAdmin, null, true));
            (await db.Invitations.SingleAsync(i => i.Email == email, Ct)).AcceptedUserId.ShouldBe(user.Id);
            (await db.UserLogins.CountAsync(l => l.UserId == user.Id, Ct)).ShouldBe(1);
        }

        using var later = sso.Browser();
        (await later.SignInAsync(email, SingleSignOnPortal<TPortal>.ProviderPassword)).ShouldBe("/");
        (await later.Http.GetAsync("/api/v1/workspaces", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
        await using var after = await Portal.DbAsync();
        (await after.Users.CountAsync(u => u.Email == email, Ct)).ShouldBe(1);
    }

    [Fact]
    public async Task AnExistingAccount_IsMatchedByItsVerifiedEmail()
    {
        var email = await NewAccountAsync();
        sso.AddProviderUser(email);
        using var browser = sso.Browser();

        (await browser.SignInAsync(email, SingleSignOnPortal<TPortal>.ProviderPassword)).ShouldBe("/");

        (await browser.Http.GetAsync("/api/v1/workspaces", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task AnUnverifiedEmail_IsRefused_EvenForAnExistingAccount()
    {
        var email = await NewAccountAsync();
        sso.AddProviderUser(email, verified: false);
        using var browser = sso.Browser();

        var landed = await browser.SignInAsync(email, SingleSignOnPortal<TPortal>.ProviderPassword);

        landed.ShouldBe("/account/sign-in-refused?reason=unverified");
        (await browser.Http.GetStringAsync(landed, Ct)).ShouldContain("did not give the portal a verified email address");
        (await browser.Http.GetAsync("/api/v1/workspaces", Ct)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        await using var db = await Portal.DbAsync();
        (await db.UserLogins.CountAsync(Ct)).ShouldBe(await db.UserLogins.CountAsync(l => l.ProviderKey != "", Ct));
        (await db.Users.Where(u => u.Email == email).Join(db.UserLogins, u => u.Id, l => l.UserId, (u, l) => l).CountAsync(Ct)).ShouldBe(0);
    }

    [Fact]
    public async Task SomeoneWithoutAnAccountOrInvitation_IsRefused_AndNothingIsMade()
    {
        var email = $"stranger-{Guid.NewGuid():N}@elsewhere.test";
        sso.AddProviderUser(email);
        using var browser = sso.Browser();

        var landed = await browser.SignInAsync(email, SingleSignOnPortal<TPortal>.ProviderPassword);

        landed.ShouldBe("/account/sign-in-refused?reason=unknown");
        (await browser.Http.GetStringAsync(landed, Ct)).ShouldContain("Ask a tenant admin of your organisation to invite you.");
        await using var db = await Portal.DbAsync();
        (await db.Users.CountAsync(u => u.Email == email, Ct)).ShouldBe(0);
    }

    [Fact]
    public async Task ADisabledAccount_CannotSignInWithTheProvider()
    {
        var email = await NewAccountAsync(disabled: true);
        sso.AddProviderUser(email);
        using var browser = sso.Browser();

        (await browser.SignInAsync(email, SingleSignOnPortal<TPortal>.ProviderPassword)).ShouldBe("/account/sign-in-refused?reason=notallowed");

        (await browser.Http.GetAsync("/api/v1/workspaces", Ct)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    private async Task<string> NewAccountAsync(bool disabled = false)
    {
        var email = $"known-{Guid.NewGuid():N}@acme.test";
        await using var scope = Portal.Services.CreateAsyncScope();
        var created = await scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>().CreateAsync(new PortalUser
        {
            UserName = email, Email = email, EmailConfirmed = true, TenantId = "acme", Role = PortalRole.Member,
            DisabledAt = disabled ? TimeProvider.System.GetUtcNow() : null,
        });
        created.Succeeded.ShouldBeTrue();
        return email;
    }
}

public sealed class SingleSignOnTestsOnSqlite(SingleSignOnPortal<PortalApiFactory> sso)
    : SingleSignOnTests<PortalApiFactory>(sso), IClassFixture<SingleSignOnPortal<PortalApiFactory>>;

public sealed class SingleSignOnTestsOnPostgres(SingleSignOnPortal<PostgresPortalApiFactory> sso)
    : SingleSignOnTests<PostgresPortalApiFactory>(sso), IClassFixture<SingleSignOnPortal<PostgresPortalApiFactory>>;
