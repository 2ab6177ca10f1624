using System.Security.Claims;
using Bunit;
using Bunit.TestDoubles;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Portal.Features.Workspaces;
using Portal.Tests.TestInfrastructure;
using Provisioning.Core.Engine;
using Provisioning.Core.Identity;
using Provisioning.Core.Workspaces;

namespace Portal.Tests.Portal.Components.Workspaces;

/// <summary>The workspace page on the real services (SQLite, engine, live updates), without a browser.</summary>
public sealed class WorkspacePageTests
{
    [Fact]
    public async Task AnotherTenantsWorkspace_IsNotFound_NotAnError()
    {
        await using var harness = await ProvisioningHarness.StartAsync();
        var theirs = await harness.CreateAsync("ubuntu-vm@24.04", tenant: "globex");
        await using var ctx = PageContext(harness);

        var page = ctx.Render<WorkspacePage>(p => p.Add(w => w.Id, theirs.Id));

        page.WaitForAssertion(() => page.Find("h1").TextContent.ShouldBe("Workspace not found"));
        page.Find("#workspace-not-found").TextContent.ShouldNotContain("globex");
        page.Markup.ShouldNotContain(theirs.Name);
    }

    [Fact]
    public async Task AFailureCommittedByTheEngine_ShowsLive_AndARetryWhileTheReleaseIsMissingIsRefusedInPlace()
    {
        await using var harness = await ProvisioningHarness.StartAsync();
        var workspace = await harness.CreateAsync("demo-app@2.0.0");
        await using var ctx = PageContext(harness);
        var page = ctx.Render<WorkspacePage>(p => p.Add(w => w.Id, workspace.Id));
        page.WaitForAssertion(() => page.Find("#workspace-status").GetAttribute("data-status").ShouldBe("provisioning"));
        page.Find("#provisioning-progress").TextContent.ShouldContain("step 1 of 7, Fetch release");
        // One live region, on the page from the start, tells screen readers every change.
        var announcement = page.Find("#workspace-announcement");
        (announcement.GetAttribute("role"), announcement.GetAttribute("aria-live")).ShouldBe(("status", "polite"));
        announcement.TextContent.ShouldBe($"{workspace.Name}: Provisioning: step 1 of 7, Fetch release.");

        await harness.RunAsync(workspace.Id);

        page.WaitForAssertion(() => page.Find("#workspace-status").GetAttribute("data-status").ShouldBe("error"));
        page.Find("#workspace-announcement").TextContent.ShouldStartWith($"{workspace.Name} could not be provisioned. ");
        page.FindAll("#provisioning-progress").ShouldBeEmpty();
        page.Find("[data-testid=error-code] code").TextContent.ShouldBe("release_unavailable");
        page.Find("li[data-step=fetch_release]").GetAttribute("data-status").ShouldBe("failed");
        page.FindAll("[data-testid=timeline] li[data-tone=failure]").Count.ShouldBe(2);

        page.Find("#retry-button").Click();

        page.WaitForAssertion(() => page.Find("[data-testid=retry-refusal]").TextContent.ShouldStartWith("The release is still unavailable."));
        page.Find("#workspace-status").GetAttribute("data-status").ShouldBe("error");
        page.WaitForAssertion(() => page.FindAll("[data-testid=timeline] li[data-type='provisioning.retry_rejected']").Count.ShouldBe(1));
        harness.Queue.Enqueued.Count(id => id == workspace.Id).ShouldBe(1, "the refused retry started no attempt");
    }

    private static BunitContext PageContext(ProvisioningHarness harness)
    {
        var ctx = BunitPortal.Create(harness.Time);
        foreach (var type in new[] { typeof(WorkspaceQueries), typeof(ProvisioningRequests), typeof(StepRetryPolicy), typeof(IWorkspaceUpdates) })
        {
            ctx.Services.AddSingleton(type, harness.Services.GetRequiredService(type));
        }

        ctx.Services.AddLogging();
        ctx.AddAuthorization().SetAuthorized("member@acme.test").SetClaims(
            new Claim(ClaimTypes.NameIdentifier, "member-id"),
            new Claim(ClaimTypes.Role, nameof(PortalRole.Member)),
            new Claim(PortalClaims.Tenant, "acme"));
        // Live updates are subscribed only on a circuit, as in the browser.
        ctx.SetRendererInfo(new RendererInfo("Server", isInteractive: true));
        return ctx;
    }
}
