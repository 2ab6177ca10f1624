using Bunit;
using Bunit.TestDoubles;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;
using Portal.Features.Identity;

namespace Portal.Tests.Portal.Components.NavMenu;

/// <summary>The menu shows a user only what their role may use (issue 4: members see no admin menu).</summary>
public sealed class NavMenuTests
{
    private static IRenderedComponent<global::Portal.Components.Layout.NavMenu> RenderAs(BunitContext ctx, string? user, params string[] policies) =>
        RenderAt(ctx, url: null, user, policies);

    /// <summary>Renders the menu as <paramref name="user"/> with the browser at <paramref name="url"/> (null: the start page).</summary>
    private static IRenderedComponent<global::Portal.Components.Layout.NavMenu> RenderAt(BunitContext ctx, string? url, string? user, params string[] policies)
    {
        ctx.Services.AddMudServices();
        ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        var auth = ctx.AddAuthorization();
        if (user is not null)
        {
            auth.SetAuthorized(user);
            auth.SetPolicies(policies);
        }

        if (url is not null)
        {
            ctx.Services.GetRequiredService<NavigationManager>().NavigateTo(url);
        }

        return ctx.Render<global::Portal.Components.Layout.NavMenu>();
    }

    private static string[] LinkTexts(IRenderedComponent<global::Portal.Components.Layout.NavMenu> menu) =>
        menu.FindAll("a").Select(a => a.TextContent.Trim()).ToArray();

    [Fact]
    public async Task Member_SeesWorkspaces_AndNoAdminLinks()
    {
        await using var ctx = new BunitContext();
        var menu = RenderAs(ctx, "member@acme.test", PortalPolicies.TenantUser);

        LinkTexts(menu).ShouldBe(["Workspaces"]);
        menu.Markup.ShouldNotContain("Tenant admin");
        menu.Markup.ShouldNotContain("Platform");
        menu.FindAll("a[href='admin'], a[href^='platform']").ShouldBeEmpty();
    }

    [Fact]
    public async Task Member_SeesNeitherTheTenantsEmailsNorTheOutbox()
    {
        await using var ctx = new BunitContext();
        var menu = RenderAs(ctx, "member@acme.test", PortalPolicies.TenantUser);

        menu.FindAll("a[href='admin/emails'], a[href='platform/outbox']").ShouldBeEmpty();
        menu.Markup.ShouldNotContain("Sent emails");
        menu.Markup.ShouldNotContain("Email outbox");
    }

    [Fact]
    public async Task TenantAdmin_SeesWorkspacesTenantAdminAndSentEmails_ButNotPlatform()
    {
        await using var ctx = new BunitContext();
        var menu = RenderAs(ctx, "admin@acme.test", PortalPolicies.TenantUser, PortalPolicies.TenantAdmin);

        LinkTexts(menu).ShouldBe(["Workspaces", "Tenant admin", "Sent emails", "Users"]);
        menu.Find("a[href='admin/users']").TextContent.Trim().ShouldBe("Users");
        menu.Find("a[href='admin']").TextContent.Trim().ShouldBe("Tenant admin");
        menu.Find("a[href='admin/emails']").TextContent.Trim().ShouldBe("Sent emails");
        menu.Markup.ShouldNotContain("Platform");
        menu.Markup.ShouldNotContain("Email outbox");
    }

    [Theory]
    [InlineData("admin/emails", "Sent emails")]
    [InlineData("admin/emails?status=failed&page=2", "Sent emails")]
    [InlineData("admin", "Tenant admin")]
    [InlineData("admin?status=error&error_code=release_unavailable", "Tenant admin")]
    public async Task TenantAdmin_OnATenantAdminPage_SeesOnlyThatLinkAsCurrent(string url, string current)
    {
        await using var ctx = new BunitContext();
        var menu = RenderAt(ctx, url, "admin@acme.test", PortalPolicies.TenantUser, PortalPolicies.TenantAdmin);

        menu.FindAll("a.active").Select(a => a.TextContent.Trim()).ShouldBe([current]);
    }

    [Fact]
    public async Task PlatformAdmin_SeesThePlatformSection_AndNoTenantLinks()
    {
        await using var ctx = new BunitContext();
        var menu = RenderAs(ctx, "ops@platform.test", PortalPolicies.PlatformAdmin);

        menu.Markup.ShouldContain("Platform");
        LinkTexts(menu).ShouldBe(["Tenants", "Users", "Releases", "Templates", "Simulator", "Orphaned resources", "Email outbox"]);
        menu.FindAll("a[href='platform/tenants'], a[href='platform/releases'], a[href='platform/templates'], a[href='platform/simulator'], a[href='platform/orphans'], a[href='platform/outbox']").Count.ShouldBe(6);
        menu.Markup.ShouldNotContain("Tenant admin");
        menu.Markup.ShouldNotContain("Sent emails");
    }

    [Fact]
    public async Task Anonymous_SeesOnlySignIn()
    {
        await using var ctx = new BunitContext();
        var menu = RenderAs(ctx, user: null);

        LinkTexts(menu).ShouldBe(["Sign in"]);
    }
}
