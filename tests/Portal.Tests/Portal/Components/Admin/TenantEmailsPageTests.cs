using System.Security.Claims;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Portal.Features.Admin;
using Portal.Features.Identity;
using Portal.Tests.TestInfrastructure;
using Provisioning.Core.Identity;
using Provisioning.Core.Notifications;
using Provisioning.Core.Workspaces;
using static Portal.Tests.TestInfrastructure.OutboxRows;

namespace Portal.Tests.Portal.Components.Admin;

/// <summary>The tenant admin's sent emails on the real outbox over a temporary SQLite data directory.</summary>
public sealed class TenantEmailsPageTests
{
    private static readonly Guid AcmeWorkspace = Guid.Parse("0195a3b4-0000-7000-8000-0000000000a1");

    private static (BunitContext Context, IRenderedComponent<TenantEmailsPage> Page) RenderPage(
        ProvisioningHarness harness, string url = "admin/emails", string tenant = "acme", bool tenantAdmin = true)
    {
        var (ctx, _) = MudBunit.NewContext(c =>
        {
            c.Services.AddSingleton(harness.Services.GetRequiredService<OutboxAdmin>());
            c.Services.AddSingleton(harness.Services.GetRequiredService<IWorkspaceUpdates>());
            var auth = c.AddAuthorization();
            auth.SetAuthorized(tenantAdmin ? $"admin@{tenant}.test" : $"member@{tenant}.test")
                .SetRoles((tenantAdmin ? PortalRole.TenantAdmin : PortalRole.Member).ToString())
                .SetClaims(new Claim(ClaimTypes.NameIdentifier, "user-id"), new Claim(PortalClaims.Tenant, tenant));
            auth.SetPolicies(tenantAdmin ? [PortalPolicies.TenantUser, PortalPolicies.TenantAdmin] : [PortalPolicies.TenantUser]);
        });
        ctx.Services.GetRequiredService<NavigationManager>().NavigateTo(url);
        return (ctx, ctx.Render<TenantEmailsPage>());
    }

    /// <summary>Three acme emails (sent, failed, pending) and two of globex, one minute apart, acme's oldest first.</summary>
    private static async Task SeedTwoTenantsAsync(ProvisioningHarness harness)
    {
        var t0 = harness.Time.GetUtcNow();
        await SaveAsync(await harness.DbAsync(),
            Email("acme", "member@acme.test", "Your workspace billing could not be provisioned", t0, OutboxStatus.Sent, AcmeWorkspace),
            Email("acme", "nobody@acme.test", "[acme] Workspace billing failed: release_unavailable", t0.AddMinutes(1), OutboxStatus.Failed, AcmeWorkspace),
            Email("acme", "admin@acme.test", "Your workspace orders is ready", t0.AddMinutes(2), OutboxStatus.Pending),
            Email("globex", "member@globex.test", "Your workspace secret-globex could not be provisioned", t0.AddMinutes(3), OutboxStatus.Failed),
            Email("globex", "admin@globex.test", "[globex] Workspace secret-globex failed: unknown", t0.AddMinutes(4), OutboxStatus.Sent));
    }

    private static AngleSharp.Dom.IElement Row(IRenderedComponent<TenantEmailsPage> page, string recipient) =>
        page.FindAll("[data-outbox-id]").Single(e => e.TextContent == recipient).Closest("tr")!;

    /// <summary>The last error, in the row under the email's; null when it has none.</summary>
    private static string? ErrorOf(IRenderedComponent<TenantEmailsPage> page, string recipient) =>
        Row(page, recipient).NextElementSibling?.QuerySelector("[data-testid=outbox-error]")?.TextContent;

    [Fact]
    public async Task ATenantAdmin_SeesTheirTenantsEmailsOnly_NewestFirst_WithDeliveryDetail()
    {
        await using var harness = await ProvisioningHarness.StartAsync();
        await SeedTwoTenantsAsync(harness);
        var (ctx, page) = RenderPage(harness);
        await using var _ctx = ctx;

        page.WaitForAssertion(() => page.Find("[data-testid=emails-total]").TextContent.Trim().ShouldBe("3 emails"));
        page.FindAll("[data-outbox-id]").Select(e => e.TextContent).ShouldBe(["admin@acme.test", "nobody@acme.test", "member@acme.test"]);
        page.Markup.ShouldNotContain("globex");

        var failed = Row(page, "nobody@acme.test");
        failed.TextContent.ShouldContain("[acme] Workspace billing failed: release_unavailable");
        failed.QuerySelector("[data-testid=outbox-template]")!.TextContent.ShouldBe(EmailTemplates.RequesterFailure);
        failed.QuerySelector("[data-status]")!.TextContent.ShouldBe("failed");
        failed.QuerySelector("[data-testid=outbox-attempts]")!.TextContent.ShouldBe("1 attempt");
        ErrorOf(page, "nobody@acme.test").ShouldBe(Refused);
        failed.QuerySelector("a[data-testid=outbox-workspace]")!.GetAttribute("href").ShouldBe($"workspaces/{AcmeWorkspace}");
        failed.TextContent.ShouldContain("2026-11-28 09:01:00 UTC");
        failed.QuerySelector("[data-testid=outbox-sent-at]")!.TextContent.Trim().ShouldBe("—");

        var sent = Row(page, "member@acme.test");
        sent.QuerySelector("[data-status]")!.TextContent.ShouldBe("sent");
        sent.QuerySelector("[data-testid=outbox-sent-at]")!.TextContent.Trim().ShouldBe("2026-11-28 09:00:05 UTC");
        ErrorOf(page, "member@acme.test").ShouldBeNull();
        Row(page, "admin@acme.test").QuerySelector("[data-testid=outbox-workspace]").ShouldBeNull();

        // Read-only: resending is the platform's.
        page.FindAll("button").Select(b => b.TextContent.Trim()).ShouldNotContain("Resend");
    }

    [Fact]
    public async Task TheOtherTenantsAdmin_SeesOnlyTheirs()
    {
        await using var harness = await ProvisioningHarness.StartAsync();
        await SeedTwoTenantsAsync(harness);
        var (ctx, page) = RenderPage(harness, tenant: "globex");
        await using var _ctx = ctx;

        page.WaitForAssertion(() => page.Find("[data-testid=emails-total]").TextContent.Trim().ShouldBe("2 emails"));
        page.FindAll("[data-outbox-id]").Select(e => e.TextContent).ShouldBe(["admin@globex.test", "member@globex.test"]);
        page.Markup.ShouldNotContain("acme.test");
    }

    [Fact]
    public async Task TheStatusFilter_ComesFromTheQueryString_AndATenantInTheQueryStringIsIgnored()
    {
        await using var harness = await ProvisioningHarness.StartAsync();
        await SeedTwoTenantsAsync(harness);

        var (ctx, page) = RenderPage(harness, "admin/emails?status=failed&tenant_id=globex");
        await using var _ctx = ctx;

        page.WaitForAssertion(() => page.Find("[data-testid=emails-total]").TextContent.Trim().ShouldBe("1 email"));
        page.FindAll("[data-outbox-id]").Select(e => e.TextContent).ShouldBe(["nobody@acme.test"]);
        page.Find("#emails-status-filter").GetAttribute("value").ShouldBe("failed");
        page.Markup.ShouldNotContain("globex.test");
    }

    [Fact]
    public async Task ChoosingAStatus_PutsItInTheQueryString_AndFilters()
    {
        await using var harness = await ProvisioningHarness.StartAsync();
        await SeedTwoTenantsAsync(harness);
        var (ctx, popovers) = MudBunit.NewContext(c =>
        {
            c.Services.AddSingleton(harness.Services.GetRequiredService<OutboxAdmin>());
            c.Services.AddSingleton(harness.Services.GetRequiredService<IWorkspaceUpdates>());
            var auth = c.AddAuthorization();
            auth.SetAuthorized("admin@acme.test").SetRoles(nameof(PortalRole.TenantAdmin))
                .SetClaims(new Claim(ClaimTypes.NameIdentifier, "user-id"), new Claim(PortalClaims.Tenant, "acme"));
            auth.SetPolicies(PortalPolicies.TenantUser, PortalPolicies.TenantAdmin);
        });
        await using var _ctx = ctx;
        var navigation = ctx.Services.GetRequiredService<NavigationManager>();
        navigation.NavigateTo("admin/emails");
        var page = ctx.Render<TenantEmailsPage>();
        page.WaitForAssertion(() => page.Find("[data-testid=emails-total]").TextContent.Trim().ShouldBe("3 emails"));

        popovers.Choose(page, "emails-status-filter", "pending");

        page.WaitForAssertion(() => page.Find("[data-testid=emails-total]").TextContent.Trim().ShouldBe("1 email"));
        new Uri(navigation.Uri).Query.ShouldBe("?status=pending");
        page.FindAll("[data-outbox-id]").Select(e => e.TextContent).ShouldBe(["admin@acme.test"]);
    }

    [Fact]
    public async Task Paging_IsOnTheServer_TwentyAPage()
    {
        await using var harness = await ProvisioningHarness.StartAsync();
        var t0 = harness.Time.GetUtcNow();
        await SaveAsync(await harness.DbAsync(),
            [.. Enumerable.Range(0, 25).Select(i => Email("acme", $"user{i:00}@acme.test", $"email {i}", t0.AddMinutes(i)))]);

        var (ctx, page) = RenderPage(harness, "admin/emails?page=2");
        await using var _ctx = ctx;

        page.WaitForAssertion(() => page.FindAll("[data-outbox-id]").Count.ShouldBe(5));
        page.Find("[data-testid=emails-total]").TextContent.Trim().ShouldBe("25 emails");
        page.FindAll("[data-outbox-id]").Select(e => e.TextContent).ShouldBe(
            ["user04@acme.test", "user03@acme.test", "user02@acme.test", "user01@acme.test", "user00@acme.test"]);
        page.Find(".mud-pagination[aria-label='Pages of emails'] [aria-current=page]").TextContent.Trim().ShouldBe("2");
    }

    [Fact]
    public async Task AMember_WhomTheRouterLetThrough_SeesNoEmails()
    {
        await using var harness = await ProvisioningHarness.StartAsync();
        await SeedTwoTenantsAsync(harness);

        var (ctx, page) = RenderPage(harness, tenantAdmin: false);
        await using var _ctx = ctx;

        page.WaitForAssertion(() => page.Find("[data-testid=access-denied]").TextContent.ShouldContain("This page is for tenant admins."));
        page.Markup.ShouldNotContain("@acme.test");
        page.FindAll("#outbox-messages").ShouldBeEmpty();
    }
}
