using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using E2E.Infrastructure;
using E2E.Pages;
using Portal.Tests.TestInfrastructure;
using static Microsoft.Playwright.Assertions;

namespace E2E.Scenarios;

/// <summary>
/// Issue 13: two portal nodes on one PostgreSQL database and nothing else. A page served by node B follows, live, an
/// attempt that node A runs: each step as it starts and ends, to ready, without a reload.
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class ClusterLiveUpdateTests(PortalFixture fixture)
{
    private readonly Evidence _evidence = Evidence.For("cluster");

    [Fact]
    public async Task APageOnNodeB_FollowsAnAttemptRunningOnNodeA_StepByStep_WithoutReloading()
    {
        Assert.SkipWhen(fixture.Portal.IsExternal, $"{PortalProcess.BaseUrlVariable} is set: the tests cannot start nodes of their own.");
        var cancellationToken = TestContext.Current.CancellationToken;
        var database = await PostgresServer.CreateDatabaseAsync(cancellationToken);
        await using var a = Node("cluster-a", database);
        await using var b = Node("cluster-b", database);
        await a.StartAsync(cancellationToken);

        // Node A takes the request and runs the attempt; power_on takes 15 s, long enough to watch it from node B.
        using var http = new HttpClient { BaseAddress = a.BaseUrl };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await SignInPage.TokenAsync(http, SignInPage.PlatformAdmin, cancellationToken));
        using (var fault = await http.PostAsJsonAsync("api/v1/platform/simulator/faults", new { step = "power_on", on = "execute", latency_ms = 15_000 }, cancellationToken))
        {
            fault.IsSuccessStatusCode.ShouldBeTrue();
        }

        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await SignInPage.TokenAsync(http, SignInPage.Member, cancellationToken));
        using var created = await http.PostAsJsonAsync("api/v1/workspaces", new { name = $"across-{Guid.NewGuid():N}"[..16], release_id = "ubuntu-vm@24.04" }, cancellationToken);
        created.IsSuccessStatusCode.ShouldBeTrue();
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("workspace_id").GetGuid();

        // Node B joins while A runs the attempt (a running job stays with its node), and serves the browser.
        await b.StartAsync(cancellationToken);
        await using var context = await fixture.Browser.NewContextAsync(b.BaseUrl, BrowserFixture.Desktop);
        var browserErrors = BrowserErrors.Watch(context);
        await SignInPage.SignInAsync(context);
        var page = await BrowserFixture.OpenAsync(context, $"/workspaces/{id}");
        await page.EvaluateAsync("() => { window.__sameDocument = true; }");
        var workspace = new WorkspacePage(page);

        await Expect(page.Locator("[data-step=power_on][data-status=running]")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await _evidence.ScreenshotAsync(page, "node-b-power-on-running");
        await Expect(workspace.Status("ready")).ToBeVisibleAsync(new() { Timeout = 60_000 });
        await Expect(page.Locator("[data-step=power_on]")).ToHaveAttributeAsync("data-status", "success");
        await _evidence.ScreenshotAsync(page, "node-b-ready");

        (await page.EvaluateAsync<bool>("() => window.__sameDocument === true")).ShouldBeTrue("the page followed the attempt without reloading");
        a.ReadLog().ShouldContain("Provisioning succeeded", customMessage: "node A ran the attempt");
        b.ReadLog().ShouldNotContain("Provisioning succeeded", customMessage: "node B only served the page");
        browserErrors.Errors.ShouldBeEmpty();
        await context.CloseAsync();
    }

    private static PortalProcess Node(string name, string database)
    {
        var node = PortalProcess.Create(name);
        node.EnvironmentVariables["Database__Provider"] = "Postgres";
        node.EnvironmentVariables["ConnectionStrings__Portal"] = database;
        node.EnvironmentVariables["Simulator__ReadinessDelay"] = "00:00:00.100";
        return node;
    }
}
