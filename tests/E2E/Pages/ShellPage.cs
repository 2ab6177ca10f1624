using Microsoft.Playwright;

namespace E2E.Pages;

/// <summary>The layout around every page: app bar, navigation drawer, theme toggle and the page's heading.</summary>
public sealed class ShellPage(IPage page)
{
    public IPage Page { get; } = page;

    public ILocator AppBar => Page.Locator("header.mud-appbar");

    public ILocator NavigationToggle => Page.Locator("#nav-toggle");

    public ILocator ThemeToggle => Page.Locator("#theme-toggle");

    public ILocator Drawer => Page.Locator(".mud-drawer");

    public ILocator WorkspacesLink => Drawer.GetByRole(AriaRole.Link, new LocatorGetByRoleOptions { Name = "Workspaces" });

    public ILocator Heading => Page.Locator(".mud-main-content h1");

    /// <summary>The page background the theme paints, as <c>rgb(…)</c>.</summary>
    public Task<string> BackgroundColorAsync() =>
        Page.EvaluateAsync<string>("() => getComputedStyle(document.body).backgroundColor");

    /// <summary>"light" or "dark", as the layout reports it.</summary>
    public async Task<string> ThemeAsync() =>
        await Page.Locator("#app-ready").GetAttributeAsync("data-theme") ?? string.Empty;

    /// <summary>Clicks the theme toggle and waits until the layout reports <paramref name="expectedTheme"/>.</summary>
    public async Task ToggleThemeAsync(string expectedTheme)
    {
        await ThemeToggle.ClickAsync();
        await Page.Locator($"#app-ready[data-theme='{expectedTheme}']")
            .WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Attached });
    }

    /// <summary>True when the page is wider than the window, i.e. the user must scroll sideways.</summary>
    public Task<bool> OverflowsHorizontallyAsync() =>
        Page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth > window.innerWidth");
}
