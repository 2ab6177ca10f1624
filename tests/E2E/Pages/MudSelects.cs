using Microsoft.Playwright;

namespace E2E.Pages;

/// <summary>MudBlazor's select is not a native &lt;select&gt;: open it, then click the option in its popover.</summary>
internal static class MudSelects
{
    public static async Task ChooseAsync(IPage page, ILocator input, string option)
    {
        // Once it has a value the select hides its input (type=hidden) and shows text: click the control around it.
        await Control(input).ClickAsync();
        var item = page.Locator(".mud-popover-open .mud-list-item")
            .Filter(new LocatorFilterOptions { HasTextRegex = new System.Text.RegularExpressions.Regex($"^\\s*{System.Text.RegularExpressions.Regex.Escape(option)}\\s*$") });
        await item.ClickAsync();
        await page.Locator(".mud-popover-open .mud-list-item").First.WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Detached });
    }

    /// <summary>The error MudBlazor shows under an input (its helper text in error state).</summary>
    public static ILocator ErrorUnder(ILocator input) => Control(input).Locator(".mud-input-helper-text.mud-input-error");

    private static ILocator Control(ILocator input) =>
        input.Locator("xpath=ancestor::div[contains(concat(' ', normalize-space(@class), ' '), ' mud-input-control ')][1]");
}
