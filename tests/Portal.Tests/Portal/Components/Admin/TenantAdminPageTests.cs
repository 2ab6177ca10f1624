using System.Security.Claims;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Portal.Features.Admin;
using Portal.Features.Identity;
using Portal.Security;
using Portal.Tests.TestInfrastructure;
using Provisioning.Core.Identity;
using Provisioning.Core.Releases;
using Provisioning.Core.Workspaces;

namespace Portal.Tests.Portal.Components.Admin;

/// <summary>The tenant admin page on the real services over a temporary SQLite data directory.</summary>
public sealed class TenantAdminPageTests
{
    private static (BunitContext Context, IRenderedComponent<TenantAdminPage> Page) RenderPage(
        ProvisioningHarness harness, string url = "admin", string tenant = "acme", bool tenantAdmin = true, PortalThrottle? throttle = null)
    {
        var (ctx, _) = MudBunit.NewContext(c =>
        {
            if (throttle is not null)
            {
                c.Services.AddSingleton(throttle);
            }

            c.Services.AddSingleton(harness.Services.GetRequiredService<WorkspaceQueries>());
            c.Services.AddSingleton(harness.Requests);
            c.Services.AddSingleton(harness.Services.GetRequiredService<IWorkspaceUpdates>());
            var auth = c.AddAuthorization();
            auth.SetAuthorized(tenantAdmin ? "admin@acme.test" : "member@acme.test")
                .SetRoles((tenantAdmin ? PortalRole.TenantAdmin : PortalRole.Member).ToString())
                .SetClaims(new Claim(ClaimTypes.NameIdentifier, "user-id"), new Claim(PortalClaims.Tenant, tenant));
            auth.SetPolicies(tenantAdmin ? [PortalPolicies.TenantUser, PortalPolicies.TenantAdmin] : [PortalPolicies.TenantUser]);
        });
        ctx.Services.GetRequiredService<NavigationManager>().NavigateTo(url);
        return (ctx, ctx.Render<TenantAdminPage>());
    }

    private static AngleSharp.Dom.IElement Row(IRenderedComponent<TenantAdminPage> page, string name) =>
        page.Find($"[data-workspace-name='{name}']").Closest("tr")!;

    [Fact]
    public async Task AFailedWorkspace_ShowsItsFailureDetail_AndARefusedRetryIsExplainedInPlace()
    {
        await using var harness = await ProvisioningHarness.StartAsync();
        var workspace = await harness.CreateAsync("demo-app@2.0.0", name: "billing");
        await harness.RunAsync(workspace.Id);
        var (ctx, page) = RenderPage(harness);
        await using var _ctx = ctx;

        page.WaitForAssertion(() => page.Find("[data-testid=admin-total]").TextContent.Trim().ShouldBe("1 workspace"));
        var row = Row(page, workspace.Name);
        // The short reason in words, the code on hover (issue 22, point 5).
        row.TextContent.ShouldContain("Release not available");
        row.QuerySelector("[data-error-code]")!.GetAttribute("title").ShouldBe("Error code: release_unavailable");
        row.QuerySelector("[data-status]")!.TextContent.ShouldBe("error");

        page.Find($"button[aria-label='Show details of {workspace.Name}']").Click();
        var detail = page.Find($"[data-workspace-id='{workspace.Id}']");
        detail.QuerySelector("[data-testid=technical-detail]")!.TextContent.ShouldContain("demo-app-2.0.0.json");
        detail.QuerySelector("[data-testid=correlation-id]")!.TextContent.ShouldNotBe("—");
        detail.QuerySelectorAll("[data-testid=attempts] tbody tr").Length.ShouldBe(1);
        detail.QuerySelector("[data-step=fetch_release]")!.TextContent.ShouldContain("failed");

        page.Find($"button[aria-label='Retry {workspace.Name}']").Click();

        page.WaitForAssertion(() => page.Find("[data-testid=retry-refusal]").TextContent
            .ShouldStartWith("The release is still unavailable (release_unavailable)."));
        Row(page, workspace.Name).QuerySelector("[data-status]")!.TextContent.ShouldBe("error");
    }

    [Fact]
    public async Task RetriesBeyondTheUsersLimit_AreNotTried_AndSaySoInPlace()
    {
        await using var harness = await ProvisioningHarness.StartAsync();
        var workspace = await harness.CreateAsync("demo-app@2.0.0", name: "billing");
        await harness.RunAsync(workspace.Id);
        using var throttle = new PortalThrottle(Options.Create(new ThrottlingOptions { WritesPerUser = new() { PermitLimit = 1, Window = TimeSpan.FromMinutes(1) } }));
        var (ctx, page) = RenderPage(harness, throttle: throttle);
        await using var _ctx = ctx;
        page.WaitForAssertion(() => Row(page, workspace.Name).ShouldNotBeNull());

        page.Find($"button[aria-label='Retry {workspace.Name}']").Click();
        page.WaitForAssertion(() => page.Find("[data-testid=retry-refusal]").TextContent.ShouldStartWith("The release is still unavailable"));
        page.Find($"button[aria-label='Retry {workspace.Name}']").Click();

        page.WaitForAssertion(() => page.Find("[data-testid=retry-refusal]").TextContent
            .ShouldStartWith("You have asked for many workspaces and retries in a short time. Try again in"));
        await using var db = await harness.DbAsync();
        (await db.Attempts.CountAsync(a => a.WorkspaceId == workspace.Id, Xunit.TestContext.Current.CancellationToken)).ShouldBe(1, "the second retry never reached the database");
    }

    [Fact]
    public async Task OnceTheArtifactIsPublished_RetryIsAccepted_AndTheRowShowsProvisioning()
    {
        await using var harness = await ProvisioningHarness.StartAsync();
        var workspace = await harness.CreateAsync("demo-app@2.0.0", name: "billing");
        await harness.RunAsync(workspace.Id);
        var catalog = harness.Services.GetRequiredService<ReleaseCatalog>();
        // A manifest the app template can read: one that is not is refused at publishing (issue 15, point 5).
        using (var artifact = new MemoryStream("""{"schema": ["create table notes(id integer);"], "services": []}"""u8.ToArray()))
        {
            (await catalog.PublishAsync("demo-app@2.0.0", artifact, null, CancellationToken.None)).Outcome.ShouldBe(PublishOutcome.Published);
        }

        var (ctx, page) = RenderPage(harness);
        await using var _ctx = ctx;
        page.WaitForAssertion(() => Row(page, workspace.Name));

        page.Find($"button[aria-label='Retry {workspace.Name}']").Click();

        page.WaitForAssertion(() => Row(page, workspace.Name).QuerySelector("[data-status]")!.TextContent.ShouldBe("provisioning"));
        page.FindAll("[data-testid=retry-refusal]").ShouldBeEmpty();
        page.FindAll($"button[aria-label='Retry {workspace.Name}']").ShouldBeEmpty();
        harness.Queue.Enqueued.Count(id => id == workspace.Id).ShouldBe(2);
    }

    [Fact]
    public async Task NewWorkspacesOfTheTenant_AppearLive_OthersDoNot()
    {
        await using var harness = await ProvisioningHarness.StartAsync();
        await harness.CreateAsync("ubuntu-vm@24.04", name: "first");
        var (ctx, page) = RenderPage(harness);
        await using var _ctx = ctx;
        page.WaitForAssertion(() => page.Find("[data-testid=admin-total]").TextContent.Trim().ShouldBe("1 workspace"));

        var second = await harness.CreateAsync("ubuntu-vm@24.04", name: "second");
        await harness.CreateAsync("ubuntu-vm@24.04", tenant: "globex", name: "theirs");

        page.WaitForAssertion(() => page.Find("[data-testid=admin-total]").TextContent.Trim().ShouldBe("2 workspaces"), TimeSpan.FromSeconds(10));
        Row(page, second.Name).ShouldNotBeNull();
        page.Markup.ShouldNotContain("theirs");
    }

    [Fact]
    public async Task TheStatusAndErrorCodeFilters_ComeFromTheQueryString()
    {
        await using var harness = await ProvisioningHarness.StartAsync();
        var failed = await harness.CreateAsync("demo-app@2.0.0", name: "broken");
        await harness.RunAsync(failed.Id);
        var provisioning = await harness.CreateAsync("ubuntu-vm@24.04", name: "busy");

        var (ctx, page) = RenderPage(harness, "admin?status=error&error_code=release_unavailable");
        await using var _ctx = ctx;

        page.WaitForAssertion(() => page.Find("[data-testid=admin-total]").TextContent.Trim().ShouldBe("1 workspace"));
        Row(page, failed.Name).ShouldNotBeNull();
        page.FindAll($"[data-workspace-name='{provisioning.Name}']").ShouldBeEmpty();
        page.Find("#admin-status-filter").GetAttribute("value").ShouldBe("error");
        page.Find("#admin-error-filter").GetAttribute("value").ShouldBe("release_unavailable");
    }

    [Fact]
    public async Task LinksToTheTenantsSentEmails()
    {
        await using var harness = await ProvisioningHarness.StartAsync();
        var (ctx, page) = RenderPage(harness);
        await using var _ctx = ctx;

        page.WaitForAssertion(() => page.Find("#admin-emails-link").GetAttribute("href").ShouldBe("admin/emails"));
        page.Find("#admin-emails-link").TextContent.Trim().ShouldBe("Sent emails");
    }

    [Fact]
    public async Task AMember_WhomTheRouterLetThrough_SeesNoWorkspacesOfTheTenant()
    {
        await using var harness = await ProvisioningHarness.StartAsync();
        var workspace = await harness.CreateAsync("demo-app@2.0.0", name: "billing");
        await harness.RunAsync(workspace.Id);

        var (ctx, page) = RenderPage(harness, tenantAdmin: false);
        await using var _ctx = ctx;

        page.WaitForAssertion(() => page.Find("[data-testid=access-denied]").TextContent.ShouldContain("This page is for tenant admins."));
        page.Markup.ShouldNotContain(workspace.Name);
        page.FindAll("#admin-workspaces").ShouldBeEmpty();
    }
}
