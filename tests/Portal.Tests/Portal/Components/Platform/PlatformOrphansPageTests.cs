using System.Security.Claims;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Portal.Features.Identity;
using Portal.Features.Platform;
using Portal.Tests.TestInfrastructure;
using Provisioning.Core.Engine;
using Provisioning.Core.Errors;
using Provisioning.Core.Identity;
using Provisioning.Core.Simulator;
using Provisioning.Core.Workspaces;

namespace Portal.Tests.Portal.Components.Platform;

/// <summary>The orphans page on the real engine over a temporary SQLite data directory.</summary>
public sealed class PlatformOrphansPageTests
{
    private static (BunitContext Context, IRenderedComponent<PlatformOrphansPage> Page) RenderPage(ProvisioningHarness harness, bool platformAdmin = true)
    {
        var (ctx, _) = MudBunit.NewContext(c =>
        {
            c.Services.AddSingleton(harness.Services.GetRequiredService<OrphanedResources>());
            c.Services.AddSingleton(harness.Services.GetRequiredService<IWorkspaceUpdates>());
            var auth = c.AddAuthorization();
            auth.SetAuthorized(platformAdmin ? "ops@platform.test" : "admin@acme.test")
                .SetRoles((platformAdmin ? PortalRole.PlatformAdmin : PortalRole.TenantAdmin).ToString())
                .SetClaims(new Claim(ClaimTypes.NameIdentifier, "user-id"));
            auth.SetPolicies(platformAdmin ? [PortalPolicies.PlatformAdmin] : [PortalPolicies.TenantUser, PortalPolicies.TenantAdmin]);
        });
        return (ctx, ctx.Render<PlatformOrphansPage>());
    }

    private static async Task<Workspace> OrphanAVmAsync(ProvisioningHarness harness, int cleanupFailures)
    {
        await harness.AddFaultAsync("power_on", ErrorCatalogue.VmConfigInvalid, times: 1);
        await harness.AddFaultAsync("clone_vm", ErrorCatalogue.ServiceUnavailable, times: cleanupFailures, on: FaultPhase.Compensate);
        var workspace = await harness.CreateAsync("ubuntu-vm@24.04", name: "orphaned");
        await harness.RunAsync(workspace.Id);
        return workspace;
    }

    [Fact]
    public async Task RetryCleanup_ThatFailsAgain_ShowsTheNewError_ThenSucceedsAndTheRowGoes()
    {
        await using var harness = await ProvisioningHarness.StartAsync();
        var workspace = await OrphanAVmAsync(harness, cleanupFailures: 2);
        var (ctx, page) = RenderPage(harness);
        await using var _ctx = ctx;

        page.WaitForAssertion(() => page.Find("[data-testid=orphan-count]").TextContent.ShouldBe("1 orphaned resource"));
        page.Markup.ShouldContain(workspace.Name);
        page.Find("[data-testid=orphan-error]").TextContent.ShouldContain("service_unavailable");

        page.Find("button[aria-label^='Retry cleanup of vm']").Click();

        page.WaitForAssertion(() => page.Find("button[aria-label^='Retry cleanup of vm']").HasAttribute("disabled").ShouldBeFalse());
        page.Find("[data-testid=orphan-count]").TextContent.ShouldBe("1 orphaned resource");
        page.Find("[data-testid=orphan-error]").TextContent.ShouldContain("service_unavailable");

        page.Find("button[aria-label^='Retry cleanup of vm']").Click();

        page.WaitForAssertion(() => page.Find("[data-testid=orphan-count]").TextContent.ShouldBe("0 orphaned resources"));
        page.Find("[data-testid=no-orphans]").ShouldNotBeNull();
    }

    [Fact]
    public async Task ATenantAdmin_SeesNoOrphans()
    {
        await using var harness = await ProvisioningHarness.StartAsync();
        var workspace = await OrphanAVmAsync(harness, cleanupFailures: 1);

        var (ctx, page) = RenderPage(harness, platformAdmin: false);
        await using var _ctx = ctx;

        page.WaitForAssertion(() => page.Find("[data-testid=access-denied]").TextContent.ShouldContain("platform admins"));
        page.Markup.ShouldNotContain(workspace.Name);
    }
}
