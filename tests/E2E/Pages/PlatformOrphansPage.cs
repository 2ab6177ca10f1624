using E2E.Infrastructure;
using Microsoft.Playwright;

namespace E2E.Pages;

/// <summary>The platform admin's orphaned resources (<c>/platform/orphans</c>) with "Retry cleanup".</summary>
public sealed class PlatformOrphansPage(IPage page)
{
    public IPage Page { get; } = page;

    public ILocator Heading => Page.Locator(".mud-main-content h1");

    /// <summary>"N orphaned resources".</summary>
    public ILocator Count => Page.GetByTestId("orphan-count");

    public ILocator Rows => Page.Locator("#orphans tr").Filter(new LocatorFilterOptions { Has = Page.Locator("[data-orphan-id]") });

    public ILocator Empty => Page.GetByTestId("no-orphans");

    /// <summary>The row of a resource, by its external id (e.g. the VM's name) or workspace name.</summary>
    public ILocator Row(string text) => Rows.Filter(new LocatorFilterOptions { HasText = text });

    public ILocator RetryCleanupButton(string text) =>
        Row(text).GetByRole(AriaRole.Button, new LocatorGetByRoleOptions { NameRegex = new System.Text.RegularExpressions.Regex("^Retry cleanup of ") });

    /// <summary>The last cleanup error: the listed one, or the newer one of a retry from this page that failed.</summary>
    public ILocator Error(string text) => Row(text).GetByTestId("orphan-error");

    public async Task GotoAsync()
    {
        await Page.GotoAsync("platform/orphans");
        await BrowserFixture.WaitForInteractiveAsync(Page);
        await Count.WaitForAsync();
    }

    /// <summary>Presses "Retry cleanup" and waits for the answer: the row goes, or shows the error again.</summary>
    public async Task RetryCleanupAsync(string text)
    {
        var button = RetryCleanupButton(text);
        await button.ClickAsync();
        await Page.WaitForFunctionAsync(
            "t => ![...document.querySelectorAll('#orphans tr')].some(r => r.textContent.includes(t) && r.querySelector('button[aria-busy=true]'))",
            text);
    }
}
