using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace E2E.Pages;

/// <summary>One workspace at <c>/workspaces/{id}</c>: status, error alert with Retry, progress, steps, timeline.</summary>
public sealed partial class WorkspacePage(IPage page)
{
    public IPage Page { get; } = page;

    public ILocator Heading => Page.Locator(".mud-main-content h1");

    public ILocator ErrorAlert => Page.Locator("#workspace-error");

    public ILocator ErrorMessage => ErrorAlert.Locator("[data-testid=error-message]");

    public ILocator ErrorCode => ErrorAlert.Locator("[data-testid=error-code]");

    public ILocator RetryButton => Page.Locator("#retry-button");

    public ILocator RetryRefusal => Page.Locator("[data-testid=retry-refusal]");

    public ILocator Progress => Page.Locator("#provisioning-progress");

    public ILocator Ready => Page.Locator("#workspace-ready");

    public ILocator NotFound => Page.Locator("#workspace-not-found");

    public ILocator Steps => Page.Locator("[data-testid=stepper] li");

    public ILocator TimelineFailures => Page.Locator("[data-testid=timeline] li[data-tone=failure]");

    public ILocator DeleteButton => Page.Locator("#delete-workspace");

    public ILocator ConfirmDialog => Page.Locator(".mud-dialog");

    public ILocator NotificationBell => Page.Locator("header button[aria-label^='Notifications']");

    /// <summary>The workspace's id, read from the address.</summary>
    public Guid Id => Guid.Parse(WorkspaceAddress().Match(Page.Url).Groups["id"].Value);

    /// <summary>The bell's label for <paramref name="unread"/> unread notifications.</summary>
    public static string BellLabel(int unread) => unread switch
    {
        0 => "Notifications: no unread notifications",
        1 => "Notifications: 1 unread notification",
        _ => $"Notifications: {unread} unread notifications",
    };

    /// <summary>How many unread notifications the bell shows now.</summary>
    public async Task<int> UnreadAsync()
    {
        var label = await NotificationBell.GetAttributeAsync("aria-label") ?? "";
        var match = UnreadCount().Match(label);
        return match.Success ? int.Parse(match.Groups["n"].Value, System.Globalization.CultureInfo.InvariantCulture) : 0;
    }

    /// <summary>The status chip once it shows <paramref name="status"/>.</summary>
    public ILocator Status(string status) => Page.Locator($"#workspace-status[data-status='{status}']");

    public ILocator Step(string name) => Page.Locator($"[data-testid=stepper] li[data-step='{name}']");

    [GeneratedRegex(@"(?<n>\d+) unread")]
    private static partial Regex UnreadCount();

    [GeneratedRegex("/workspaces/(?<id>[0-9a-fA-F-]{36})")]
    public static partial Regex WorkspaceAddress();
}
