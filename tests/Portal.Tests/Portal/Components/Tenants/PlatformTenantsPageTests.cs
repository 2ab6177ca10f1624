using System.Security.Claims;
using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using Portal.Features.Identity;
using Portal.Features.Tenants;
using Portal.Tests.TestInfrastructure;
using Provisioning.Core.Identity;
using Provisioning.Core.Persistence;

namespace Portal.Tests.Portal.Components.Tenants;

/// <summary>The tenants page on the real tenant directory over a temporary SQLite database: the same rules as the API, inline.</summary>
public sealed class PlatformTenantsPageTests
{
    [Fact]
    public async Task ABadIdIsRefusedInline_AndCreatesNothing_ThenAGoodOneAppearsInTheTable()
    {
        await using var harness = await ProvisioningHarness.StartAsync();
        var (ctx, page, _) = Render(harness);
        await using var _ctx = ctx;
        page.WaitForAssertion(() => page.Find("[data-tenant=acme]").ShouldNotBeNull());

        page.Enter("tenant-id", "Initech Corp");
        page.Enter("tenant-name", "Initech");
        page.Find("#create-tenant").Click();

        page.WaitForAssertion(() => page.ErrorUnder("tenant-id").ShouldBe(TenantDirectory.IdRule));
        (await TenantIdsAsync(harness)).ShouldNotContain("initech");

        page.Enter("tenant-id", "initech");
        page.WaitForAssertion(() => page.ErrorUnder("tenant-id").ShouldBeNull());
        page.Find("#create-tenant").Click();

        page.WaitForAssertion(() => page.Find("[data-tenant=initech]").TextContent.ShouldContain("Initech"));
        (await TenantIdsAsync(harness)).ShouldContain("initech");
        page.Find("[data-tenant=initech] [data-status]").GetAttribute("data-status").ShouldBe("active");
    }

    [Fact]
    public async Task RenameThenDeactivate_AfterConfirming_ShowsTheTenantDeactivated_AndReactivateBringsItBack()
    {
        await using var harness = await ProvisioningHarness.StartAsync();
        var (ctx, page, dialogs) = Render(harness);
        await using var _ctx = ctx;
        page.WaitForAssertion(() => page.Find("[data-tenant=globex]").ShouldNotBeNull());

        page.Find("button[aria-label='Rename Globex']").Click();
        page.Enter("rename-input", "");
        page.FindAll("[data-tenant=globex] button").Single(b => b.TextContent.Trim() == "Save").Click();
        page.WaitForAssertion(() => page.ErrorUnder("rename-input").ShouldBe("Give the tenant a name (for example Initech)."));
        page.Enter("rename-input", "Globex Corporation");
        page.FindAll("[data-tenant=globex] button").Single(b => b.TextContent.Trim() == "Save").Click();
        page.WaitForAssertion(() => page.Find("[data-tenant=globex]").TextContent.ShouldContain("Globex Corporation"));

        page.Find("button[aria-label='Deactivate Globex Corporation']").Click();
        dialogs.WaitForAssertion(() => dialogs.Find(".mud-dialog").TextContent.ShouldContain("will no longer be able to sign in"));
        dialogs.FindAll(".mud-dialog button").Single(b => b.TextContent.Trim() == "Deactivate").Click();

        page.WaitForAssertion(() => page.Find("[data-tenant=globex] [data-status]").GetAttribute("data-status").ShouldBe("deactivated"));
        await using (var db = await harness.DbAsync())
        {
            (await db.Tenants.SingleAsync(t => t.Id == "globex", Xunit.TestContext.Current.CancellationToken)).DeactivatedAt.ShouldBe(harness.Time.GetUtcNow());
        }

        page.Find("button[aria-label='Reactivate Globex Corporation']").Click();
        page.WaitForAssertion(() => page.Find("[data-tenant=globex] [data-status]").GetAttribute("data-status").ShouldBe("active"));
    }

    private static (BunitContext Context, IRenderedComponent<PlatformTenantsPage> Page, IRenderedComponent<Microsoft.AspNetCore.Components.IComponent> Dialogs) Render(
        ProvisioningHarness harness)
    {
        var (ctx, _) = MudBunit.NewContext(c =>
        {
            c.Services.AddSingleton(new TenantDirectory(harness.Services.GetRequiredService<IDbContextFactory<ProvisioningDbContext>>(), harness.Time));
            var auth = c.AddAuthorization();
            auth.SetAuthorized("ops@platform.test").SetRoles(nameof(PortalRole.PlatformAdmin)).SetClaims(new Claim(ClaimTypes.NameIdentifier, "ops"));
            auth.SetPolicies(PortalPolicies.PlatformAdmin);
        });
        // Where the confirmation opens.
        var dialogs = ctx.Render(builder =>
        {
            builder.OpenComponent<MudDialogProvider>(0);
            builder.CloseComponent();
        });
        return (ctx, ctx.Render<PlatformTenantsPage>(), dialogs);
    }

    private static async Task<List<string>> TenantIdsAsync(ProvisioningHarness harness)
    {
        await using var db = await harness.DbAsync();
        return await db.Tenants.Select(t => t.Id).ToListAsync(Xunit.TestContext.Current.CancellationToken);
    }
}
