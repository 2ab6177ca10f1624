using System.Globalization;
using System.Text.RegularExpressions;
using E2E.Infrastructure;
using E2E.Pages;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace E2E.Scenarios;

/// <summary>The shell works in a real browser against the real portal process: styled, interactive, responsive (signed in as a member).</summary>
[Collection(PortalCollection.Name)]
public sealed partial class PortalSmokeTests(PortalFixture fixture)
{
    private readonly Evidence _evidence = Evidence.For("smoke");

    [Fact]
    public async Task Home_OnceInteractive_ShowsWorkspacesInsideTheMudBlazorShell()
    {
        await using var context = await fixture.NewContextAsync();
        var browserErrors = BrowserErrors.Watch(context);
        await SignInPage.SignInAsync(context);
        var shell = new ShellPage(await BrowserFixture.OpenAsync(context, "/"));

        await Expect(shell.Heading).ToHaveTextAsync("Workspaces");
        await Expect(shell.Heading).ToBeVisibleAsync();
        await Expect(shell.Page).ToHaveTitleAsync(new Regex("^Workspaces"));
        await Expect(shell.AppBar).ToContainTextAsync("Provisioning Portal");
        // Only MudBlazor.min.css pins the app bar to the top of the window.
        await Expect(shell.AppBar).ToHaveCSSAsync("position", "fixed");
        await Expect(shell.WorkspacesLink).ToBeVisibleAsync();
        await Expect(shell.WorkspacesLink).ToHaveClassAsync(new Regex("active"));

        // On a wide screen the drawer is open beside the page; the toggle closes it and opens it again.
        await shell.NavigationToggle.ClickAsync();
        await Expect(shell.WorkspacesLink).ToBeHiddenAsync();
        await shell.NavigationToggle.ClickAsync();
        await Expect(shell.WorkspacesLink).ToBeVisibleAsync();

        await _evidence.ScreenshotAsync(shell.Page, "home-light");
        browserErrors.Errors.ShouldBeEmpty();
    }

    [Fact]
    public async Task ThemeToggle_Clicked_SwitchesToTheDarkPaletteAndBack()
    {
        await using var context = await fixture.NewContextAsync();
        var browserErrors = BrowserErrors.Watch(context);
        await SignInPage.SignInAsync(context);
        var shell = new ShellPage(await BrowserFixture.OpenAsync(context, "/"));
        (await shell.ThemeAsync()).ShouldBe("light");
        var light = await shell.BackgroundColorAsync();

        await shell.ToggleThemeAsync("dark");
        var dark = await shell.BackgroundColorAsync();
        await Expect(shell.ThemeToggle).ToHaveAttributeAsync("aria-label", "Switch to light mode");
        await _evidence.ScreenshotAsync(shell.Page, "home-dark");

        // The choice outlives the page (issue 22, point 10): a reload comes back dark, from its first paint.
        await shell.Page.ReloadAsync();
        await BrowserFixture.WaitForInteractiveAsync(shell.Page);
        (await shell.ThemeAsync()).ShouldBe("dark");
        (await shell.BackgroundColorAsync()).ShouldBe(dark);

        await shell.ToggleThemeAsync("light");
        var lightAgain = await shell.BackgroundColorAsync();

        await _evidence.WriteJsonAsync("theme-backgrounds", new { light, dark, lightAgain });
        dark.ShouldNotBe(light);
        Luminance(dark).ShouldBeLessThan(Luminance(light));
        lightAgain.ShouldBe(light);
        browserErrors.Errors.ShouldBeEmpty();
    }

    [Fact]
    public async Task Home_AtPhoneWidth_FitsTheScreenAndOpensNavigationFromTheAppBar()
    {
        await using var context = await fixture.NewContextAsync(BrowserFixture.Phone);
        var browserErrors = BrowserErrors.Watch(context);
        await SignInPage.SignInAsync(context);
        var shell = new ShellPage(await BrowserFixture.OpenAsync(context, "/"));

        await Expect(shell.Heading).ToBeVisibleAsync();
        await Expect(shell.AppBar).ToContainTextAsync("Provisioning Portal");
        // On a phone the drawer starts closed so it does not cover the page.
        await Expect(shell.WorkspacesLink).Not.ToBeInViewportAsync();
        (await shell.OverflowsHorizontallyAsync()).ShouldBeFalse();
        await _evidence.ScreenshotAsync(shell.Page, "phone");

        await shell.NavigationToggle.ClickAsync();
        await Expect(shell.WorkspacesLink).ToBeInViewportAsync();
        await _evidence.ScreenshotAsync(shell.Page, "phone-navigation");

        // Escape closes it where it covers the page, and the focus is back on the toggle (issue 22, point 10).
        await shell.Page.Keyboard.PressAsync("Escape");
        await Expect(shell.WorkspacesLink).Not.ToBeInViewportAsync();
        await Expect(shell.NavigationToggle).ToBeFocusedAsync();
        await shell.NavigationToggle.ClickAsync();
        await Expect(shell.WorkspacesLink).ToBeInViewportAsync();

        // Choosing a link goes there and closes the drawer again, so it does not cover the page.
        await shell.WorkspacesLink.ClickAsync();
        await Expect(new WorkspacesListPage(shell.Page).Heading).ToHaveTextAsync("Workspaces");
        await Expect(shell.WorkspacesLink).Not.ToBeInViewportAsync();
        browserErrors.Errors.ShouldBeEmpty();
    }

    [Fact]
    public async Task UnknownAddress_Opened_ShowsTheNotFoundPageWithStatus404()
    {
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();

        var response = await page.GotoAsync("/no-such-page");
        await BrowserFixture.WaitForInteractiveAsync(page);

        response.ShouldNotBeNull().Status.ShouldBe(404);
        var shell = new ShellPage(page);
        await Expect(shell.Heading).ToHaveTextAsync("Not found");
        await Expect(page.GetByRole(AriaRole.Link, new PageGetByRoleOptions { Name = "Back to workspaces" })).ToBeVisibleAsync();
        await _evidence.ScreenshotAsync(page, "not-found");
    }

    /// <summary>Relative luminance (0 black … 1 white) of a computed CSS colour such as <c>rgb(50, 51, 61)</c>.</summary>
    private static double Luminance(string cssColor)
    {
        var channels = ColorChannels().Matches(cssColor)
            .Take(3)
            .Select(m => double.Parse(m.Value, CultureInfo.InvariantCulture) / 255)
            .ToArray();
        channels.Length.ShouldBe(3, $"'{cssColor}' is not an rgb() colour");
        return (0.2126 * channels[0]) + (0.7152 * channels[1]) + (0.0722 * channels[2]);
    }

    [GeneratedRegex(@"\d+(\.\d+)?")]
    private static partial Regex ColorChannels();
}
