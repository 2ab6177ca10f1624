using E2E.Infrastructure;
using E2E.Pages;
using static Microsoft.Playwright.Assertions;

namespace E2E.Scenarios;

/// <summary>The portal comes back after a crash on the data it had, and a browser gets a working page again.</summary>
[Collection(PortalCollection.Name)]
public sealed class PortalRestartTests(PortalFixture fixture)
{
    private readonly Evidence _evidence = Evidence.For("restart");

    [Fact]
    public async Task Portal_KilledThenStartedAgain_ServesFromTheSameDataDirectory()
    {
        Assert.SkipWhen(fixture.Portal.IsExternal, $"{PortalProcess.BaseUrlVariable} is set: the tests cannot kill a portal they did not start.");
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var portal = PortalProcess.Create("restart");
        await portal.StartAsync(cancellationToken);
        var database = Path.Combine(portal.DataDirectory, "portal.db");
        File.Exists(database).ShouldBeTrue();
        await using var context = await fixture.Browser.NewContextAsync(portal.BaseUrl);
        await SignInPage.SignInAsync(context);
        var before = await BrowserFixture.OpenAsync(context, "/");

        await portal.KillAsync();

        portal.IsRunning.ShouldBeFalse();
        // The circuit is gone with the process: Blazor tells the user it is trying to rejoin.
        await Expect(before.Locator("#components-reconnect-modal")).ToBeVisibleAsync();
        await _evidence.ScreenshotAsync(before, "portal-killed");
        await before.CloseAsync();

        await portal.StartAsync(cancellationToken);

        File.Exists(database).ShouldBeTrue();
        var after = await BrowserFixture.OpenAsync(context, "/");
        await Expect(after.Locator(".mud-main-content h1")).ToHaveTextAsync("Workspaces");
        await _evidence.ScreenshotAsync(after, "portal-restarted");

        // Closed first: a Blazor client reconnecting while the host stops can hold shutdown for its whole timeout.
        await context.CloseAsync();
        await portal.StopAsync();

        var log = portal.ReadLog();
        log.Split("[e2e] starting").Length.ShouldBe(3, "the portal was started twice");
        log.ShouldEndWith($"[e2e] portal exited with code 0{Environment.NewLine}", Case.Sensitive, "a stop is a graceful shutdown");
    }
}
