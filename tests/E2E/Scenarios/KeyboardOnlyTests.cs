using E2E.Infrastructure;
using E2E.Pages;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace E2E.Scenarios;

/// <summary>
/// Issue 18: the failure story S-006 — sign in, create, see it fail, Retry, see it ready — by keyboard alone. Every
/// stop of the focus on the way shows where it is (an outline, as app.css draws it, or MudBlazor's own ring).
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class KeyboardOnlyTests(PortalFixture fixture) : IAsyncLifetime
{
    private const int MaxTabs = 60;
    private readonly Evidence _evidence = Evidence.For("keyboard-only");

    public async ValueTask InitializeAsync() => await FaultsAsync(HttpMethod.Delete, null);

    public async ValueTask DisposeAsync() => await FaultsAsync(HttpMethod.Delete, null);

    [Fact]
    public async Task CreateFailRetryReady_ByKeyboardAlone_WithTheFocusAlwaysVisible()
    {
        // The VM's first power-on fails for good (a bad configuration); the retry's succeeds.
        await FaultsAsync(HttpMethod.Post, new { step = "power_on", code = "vm_config_invalid", times = 1 });
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync("/signin");

        // Typing starts in the Email field (issue 22, point 10: the focus was on the heading, and the password went
        // into the Email field).
        await Expect(page.Locator("#signin-email")).ToBeFocusedAsync();
        await page.Keyboard.TypeAsync(SignInPage.Member);
        await TabToAsync(page, "#signin-password");
        await page.Keyboard.TypeAsync(SignInPage.DemoPassword);
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForURLAsync(url => !url.Contains("/signin", StringComparison.Ordinal));
        await BrowserFixture.WaitForInteractiveAsync(page);
        // The page puts the focus on its heading once it is interactive (FocusOnNavigate); Tab goes on from there. Without
        // this wait, a Tab pressed first could have its focus taken back to the heading.
        await Expect(page.Locator("h1")).ToBeFocusedAsync();

        await TabToAsync(page, "#new-workspace");
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator(".mud-dialog")).ToBeVisibleAsync();
        await TabToAsync(page, "#workspace-name");
        var name = $"keys-{Guid.NewGuid():N}"[..14];
        await page.Keyboard.TypeAsync(name);
        await TabToAsync(page, "#workspace-release");
        await page.Keyboard.PressAsync("ArrowDown");
        var release = page.Locator(".mud-popover-open .mud-list-item:has([data-release='ubuntu-vm@24.04'])");
        await Expect(release).ToBeVisibleAsync();
        for (var i = 0; i < 10 && !await IsHighlightedAsync(release); i++)
        {
            await page.Keyboard.PressAsync("ArrowDown");
        }

        await page.Keyboard.PressAsync("Enter");
        await _evidence.ScreenshotAsync(page, "release-chosen-by-keyboard");
        await TabToAsync(page, "#create-workspace-submit");
        await page.Keyboard.PressAsync("Enter");

        var workspace = new WorkspacePage(page);
        await page.WaitForURLAsync(url => url.Contains("/workspaces/", StringComparison.Ordinal));
        await Expect(workspace.Status("error")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Expect(page.Locator("#workspace-announcement")).ToContainTextAsync("could not be provisioned");
        await TabToAsync(page, "#retry-button");
        await _evidence.ScreenshotAsync(page, "retry-focused");
        await page.Keyboard.PressAsync("Enter");
        // The Retry button is gone with the alert; the focus is on the workspace's status, not lost to the page.
        await Expect(page.Locator("#workspace-status")).ToBeFocusedAsync();

        await Expect(workspace.Status("ready")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Expect(page.Locator("#workspace-announcement")).ToContainTextAsync("is ready");
        await _evidence.ScreenshotAsync(page, "ready");
    }

    /// <summary>Presses Tab until <paramref name="selector"/> has the focus, checking at every stop that the focus can be seen.</summary>
    private async Task TabToAsync(IPage page, string selector)
    {
        for (var tabs = 0; tabs < MaxTabs; tabs++)
        {
            if (await page.EvaluateAsync<bool>("s => { const e = document.querySelector(s); return !!e && (e === document.activeElement || e.contains(document.activeElement)); }", selector))
            {
                return;
            }

            await page.Keyboard.PressAsync("Tab");
            var focus = await page.EvaluateAsync<string>(
                """
                () => {
                    const e = document.activeElement;
                    if (!e || e === document.body) return 'ok';
                    const s = getComputedStyle(e);
                    const outlined = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
                    // A text field or select shows its focus on the field's border (MudBlazor draws it 2 px, in the primary colour).
                    const control = e.closest('.mud-input-control');
                    if (control) {
                        const border = control.querySelector('.mud-input-outlined-border');
                        return outlined || (border && parseFloat(getComputedStyle(border).borderTopWidth) >= 2) ? 'ok' : (e.id || e.outerHTML.slice(0, 120));
                    }
                    // Buttons and links: the outline app.css draws on :focus-visible (a shadow is elevation, not focus).
                    if (e.matches('a, button, [role=button], .mud-button-root')) return outlined ? 'ok' : (e.id || e.outerHTML.slice(0, 120));
                    return outlined || s.boxShadow !== 'none' ? 'ok' : (e.id || e.outerHTML.slice(0, 120));
                }
                """);
            focus.ShouldBe("ok", $"the focus is not visible on {focus} (on the way to {selector})");
        }

        await _evidence.ScreenshotAsync(page, "focus-lost");
        throw new ShouldAssertException($"{selector} was not reached in {MaxTabs} presses of Tab.");
    }

    private static Task<bool> IsHighlightedAsync(ILocator item) =>
        item.EvaluateAsync<bool>("e => e.classList.contains('mud-selected-item') || e.classList.contains('mud-list-item-hilight') || e.getAttribute('aria-selected') === 'true' || e === document.activeElement || e.contains(document.activeElement)");

    private async Task FaultsAsync(HttpMethod method, object? body)
    {
        using var ops = await new Api(fixture.Portal.BaseUrl, _evidence).AsAsync(SignInPage.PlatformAdmin);
        await ops.SendAsync(method, "api/v1/platform/simulator/faults", body);
    }
}
