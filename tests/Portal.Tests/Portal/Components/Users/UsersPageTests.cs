using System.Security.Claims;
using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Portal.Features.Identity;
using Portal.Features.Invitations;
using Portal.Features.Tenants;
using Portal.Features.Users;
using Portal.Tests.Portal.Components.Platform;
using Portal.Tests.Core.Notifications;
using Portal.Tests.TestInfrastructure;
using Provisioning.Core.Identity;
using Provisioning.Core.Persistence;

namespace Portal.Tests.Portal.Components.Users;

/// <summary>The users page on the real user directory (Identity's user manager over a temporary SQLite database).</summary>
public sealed class UsersPageTests
{
    [Fact]
    public async Task ATenantAdmin_SeesTheirTenant_DisablesAndEnablesAMember_AndPromotesThem()
    {
        await using var harness = await ProvisioningHarness.StartAsync();
        var cast = await harness.AddCastAsync();
        var (ctx, page) = Render(harness, cast.AcmeAdmin);
        await using var _ctx = ctx;
        page.WaitForAssertion(() => page.Find("[data-user='member@acme.test']").ShouldNotBeNull());
        page.Markup.ShouldNotContain("member@globex.test");
        page.Find("[data-user='admin@acme.test']").TextContent.ShouldContain("(you)");

        page.Find("button[aria-label='Disable member@acme.test']").Click();

        page.WaitForAssertion(() => page.Find("[data-user='member@acme.test'] [data-status]").GetAttribute("data-status").ShouldBe("disabled"));
        (await UserAsync(harness, "member@acme.test")).DisabledAt.ShouldBe(harness.Time.GetUtcNow());

        page.Find("button[aria-label='Enable member@acme.test']").Click();
        page.WaitForAssertion(() => page.Find("[data-user='member@acme.test'] [data-status]").GetAttribute("data-status").ShouldBe("enabled"));

        page.Find("button[aria-label='Make tenant admin: member@acme.test']").Click();
        page.WaitForAssertion(() => page.Find("[data-user='member@acme.test'] [data-role]").GetAttribute("data-role").ShouldBe(nameof(PortalRole.TenantAdmin)));
        (await UserAsync(harness, "member@acme.test")).Role.ShouldBe(PortalRole.TenantAdmin);
    }

    [Fact]
    public async Task APlatformAdmin_SeesEveryTenantsUsers_WithTheirTenant_AndNoButtonsForPlatformAdmins()
    {
        await using var harness = await ProvisioningHarness.StartAsync();
        var cast = await harness.AddCastAsync();
        var (ctx, page) = Render(harness, cast.PlatformOps);
        await using var _ctx = ctx;

        page.WaitForAssertion(() => page.Find("[data-user='member@globex.test']").TextContent.ShouldContain("globex"));
        page.Find("[data-user='member@acme.test']").TextContent.ShouldContain("acme");
        page.Find("[data-user='ops@platform.test']").QuerySelectorAll("button").ShouldBeEmpty();
    }

    [Fact]
    public async Task ATenantAdmin_InvitesSomeone_ABadAddressIsRefusedInline_ThenTheInvitationIsListedAndCanBeRevoked()
    {
        await using var harness = await ProvisioningHarness.StartAsync();
        var cast = await harness.AddCastAsync();
        var (ctx, page) = Render(harness, cast.AcmeAdmin);
        await using var _ctx = ctx;
        page.WaitForAssertion(() => page.Find("[data-user='member@acme.test']").ShouldNotBeNull());

        page.Enter("invite-email", "one@acme.test, two@acme.test");
        page.Find("#invite-submit").Click();

        page.WaitForAssertion(() => page.ErrorUnder("invite-email").ShouldBe("Give one address, not several."));
        (await InvitationsAsync(harness)).ShouldBeEmpty();

        page.Enter("invite-email", "member@acme.test");
        page.Find("#invite-submit").Click();
        page.WaitForAssertion(() => page.ErrorUnder("invite-email").ShouldBe("This address has an account already."));

        page.Enter("invite-email", "new.hire@acme.test");
        page.Find("#invite-submit").Click();

        page.WaitForAssertion(() => page.Find("[data-invitation='new.hire@acme.test'] [data-status]").GetAttribute("data-status").ShouldBe("pending"));
        var invitation = (await InvitationsAsync(harness)).ShouldHaveSingleItem();
        (invitation.TenantId, invitation.Role, invitation.ExpiresAt).ShouldBe(("acme", PortalRole.Member, harness.Time.GetUtcNow().AddDays(7)));
        await using (var db = await harness.DbAsync())
        {
            (await db.Outbox.SingleAsync(m => m.Recipient == "new.hire@acme.test", Xunit.TestContext.Current.CancellationToken)).Template.ShouldBe("invitation");
        }

        page.Find("button[aria-label='Revoke the invitation to new.hire@acme.test']").Click();

        page.WaitForAssertion(() => page.FindAll("[data-invitation='new.hire@acme.test']").ShouldBeEmpty());
        (await InvitationsAsync(harness)).ShouldHaveSingleItem().RevokedAt.ShouldBe(harness.Time.GetUtcNow());
    }

    private static async Task<List<Invitation>> InvitationsAsync(ProvisioningHarness harness)
    {
        await using var db = await harness.DbAsync();
        return await db.Invitations.AsNoTracking().ToListAsync(Xunit.TestContext.Current.CancellationToken);
    }

    private static (BunitContext Context, IRenderedComponent<UsersPage> Page) Render(ProvisioningHarness harness, PortalUser signedIn)
    {
        var (ctx, _) = MudBunit.NewContext(c =>
        {
            var dbFactory = harness.Services.GetRequiredService<IDbContextFactory<ProvisioningDbContext>>();
            c.Services.AddScoped(_ => dbFactory.CreateDbContext());
            c.Services.AddIdentityCore<PortalUser>().AddEntityFrameworkStores<ProvisioningDbContext>();
            c.Services.AddSingleton(new SessionCheck(harness.Time));
            c.Services.AddSingleton(sp => new UserDirectory(sp.GetRequiredService<IServiceScopeFactory>(), sp.GetRequiredService<SessionCheck>(), harness.Time));
            c.Services.AddSingleton(new TenantDirectory(dbFactory, harness.Time));
            c.Services.AddSingleton(Options.Create(new InvitationOptions()));
            c.Services.AddSingleton(Options.Create(new SingleSignOnOptions()));
            c.Services.AddSingleton(sp => new InvitationDirectory(
                sp.GetRequiredService<IServiceScopeFactory>(), Options.Create(new InvitationOptions()), Options.Create(new SingleSignOnOptions()), harness.Time));
            var auth = c.AddAuthorization();
            var claims = new List<Claim> { new(ClaimTypes.NameIdentifier, signedIn.Id), new(ClaimTypes.Name, signedIn.Email!) };
            if (signedIn.TenantId is { } tenant)
            {
                claims.Add(new Claim(PortalClaims.Tenant, tenant));
            }

            auth.SetAuthorized(signedIn.Email!).SetRoles(signedIn.Role.ToString()).SetClaims([.. claims]);
            auth.SetPolicies(PortalPolicies.UserAdmin);
        });
        return (ctx, ctx.Render<UsersPage>());
    }

    private static async Task<PortalUser> UserAsync(ProvisioningHarness harness, string email)
    {
        await using var db = await harness.DbAsync();
        return await db.Users.AsNoTracking().SingleAsync(u => u.Email == email, Xunit.TestContext.Current.CancellationToken);
    }
}
