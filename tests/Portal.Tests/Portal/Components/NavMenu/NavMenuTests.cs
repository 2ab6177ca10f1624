using Bunit;
using Bunit.TestDoubles;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;
using Portal.Features.Identity;

namespace Portal.Tests.Portal.Components.NavMenu;

/// <summary>The menu shows a user only what their role may use (issue 4: members see no admin menu).</summary>
public sealed class NavMenuTests
{
    private static IRenderedComponent<global::Portal.Components.Layout.NavMenu> RenderAs(BunitContext ctx, string? user, params string[] policies)
    {
        ctx.Services.AddMudServices();
        ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        var auth = ctx.AddAuthorization();
        if (user is not null)
        {
            auth.SetAuthorized(user);
            auth.SetPolicies(policies);
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
    public async Task TenantAdmin_SeesWorkspacesAndTenantAdmin_ButNotPlatform()
    {
        await using var ctx = new BunitContext();
        var menu = RenderAs(ctx, "admin@acme.test", PortalPolicies.TenantUser, PortalPolicies.TenantAdmin);

        LinkTexts(menu).ShouldBe(["Workspaces", "Tenant admin"]);
        menu.Find("a[href='admin']").TextContent.Trim().ShouldBe("Tenant admin");
        menu.Markup.ShouldNotContain("Platform");
    }

    [Fact]
    public async Task PlatformAdmin_SeesThePlatformSection_AndNoTenantLinks()
    {
        await using var ctx = new BunitContext();
        var menu = RenderAs(ctx, "ops@platform.test", PortalPolicies.PlatformAdmin);

        menu.Markup.ShouldContain("Platform");
        LinkTexts(menu).ShouldBe(["Releases", "Simulator", "Orphaned resources"]);
        menu.FindAll("a[href='platform/releases'], a[href='platform/simulator'], a[href='platform/orphans']").Count.ShouldBe(3);
        menu.Markup.ShouldNotContain("Tenant admin");
    }

    [Fact]
    public async Task Anonymous_SeesOnlySignIn()
    {
        await using var ctx = new BunitContext();
        var menu = RenderAs(ctx, user: null);

        LinkTexts(menu).ShouldBe(["Sign in"]);
    }
}
