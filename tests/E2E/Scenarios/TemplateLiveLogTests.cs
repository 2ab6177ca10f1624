using E2E.Infrastructure;
using E2E.Pages;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace E2E.Scenarios;

/// <summary>
/// Issue 15, point 4, in Chromium: a platform admin makes a release of a team's own template (tests/E2E/Templates), a
/// member requests a workspace of it, opens the running step's log and watches it grow, line by line, until the
/// workspace is ready and shows the step's output.
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class TemplateLiveLogTests(PortalFixture fixture)
{
    private readonly Evidence _evidence = Evidence.For("template-live-log");

    [Fact]
    public async Task ACommandStepsLog_GrowsLiveOnTheWorkspacePage_UntilTheWorkspaceIsReady()
    {
        var version = $"1.0.{Random.Shared.Next(1, 1_000_000)}";
        using (var ops = await new Api(fixture.Portal.BaseUrl, _evidence).AsAsync(SignInPage.PlatformAdmin))
        {
            var templates = await ops.GetAsync("api/v1/platform/templates", "templates");
            templates.EnumerateArray().Select(t => t.GetProperty("name").GetString()).ShouldContain("e2e-site");
            await ops.SendAsync(HttpMethod.Post, "api/v1/platform/releases",
                new { name = "site", version, template = "e2e-site", default_cpu = 1, default_memory_gb = 1, description = "A static site" }, "release-created");
        }

        await using var context = await fixture.NewContextAsync();
        var browserErrors = BrowserErrors.Watch(context);
        await SignInPage.SignInAsync(context);
        var name = $"site-{Guid.NewGuid():N}"[..16];
        Guid id;
        using (var member = await new Api(fixture.Portal.BaseUrl, _evidence).AsAsync(SignInPage.Member))
        {
            var created = await member.SendAsync(HttpMethod.Post, "api/v1/workspaces", new { name, release_id = $"site@{version}" }, "workspace-created");
            id = created.GetProperty("workspace_id").GetGuid();
        }

        var page = await BrowserFixture.OpenAsync(context, $"/workspaces/{id}");
        var step = page.Locator("[data-testid=stepper] li[data-step='build_site']");
        var toggle = step.GetByTestId("step-log-toggle");
        await Expect(toggle).ToHaveTextAsync("Show log");
        await toggle.ClickAsync();
        await Expect(toggle).ToHaveAttributeAsync("aria-expanded", "true");

        // While the step runs, its lines arrive without a reload, in order.
        var lines = step.Locator(".step-log-line");
        await Expect(lines.Filter(new() { HasText = "building page 3 of 8" })).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Expect(step).ToHaveAttributeAsync("data-status", "running");
        await _evidence.ScreenshotAsync(page, "log-growing");

        await Expect(page.Locator("#workspace-status[data-status='ready']")).ToBeVisibleAsync(new() { Timeout = 60_000 });
        await Expect(lines.Filter(new() { HasText = "building page 8 of 8" })).ToBeVisibleAsync();
        await Expect(step.Locator(".step-log-stderr")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("one page had a broken link, kept anyway$"));
        await Expect(lines.Last).ToContainTextAsync("exit code 0");
        (await lines.AllTextContentsAsync()).Where(l => l.Contains("building page", StringComparison.Ordinal))
            .Select(l => l[(l.IndexOf("building page ", StringComparison.Ordinal) + 14)..][0])
            .ShouldBe(['1', '2', '3', '4', '5', '6', '7', '8']);
        await Expect(page.Locator("#workspace-outputs [data-output='pages'] + dd")).ToContainTextAsync("8");
        await _evidence.ScreenshotAsync(page, "ready-with-log");
        // The open log is part of the page for every reader too (WCAG 2.1 AA, as the accessibility tests check).
        (await Axe.SeriousViolationsAsync(page, "workspace with a step's log open")).ShouldBeEmpty();
        browserErrors.Errors.ShouldBeEmpty();
    }
}
