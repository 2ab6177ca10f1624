using E2E.Infrastructure;
using Microsoft.Playwright;

namespace E2E.Pages;

/// <summary>
/// The tenant admin page (<c>/admin</c>): every workspace of the tenant, filters, failure detail and retry.
/// Rows are found by workspace name; a workspace's detail is the section labelled "Failure detail of {name}".
/// </summary>
public sealed class AdminPage(IPage page)
{
    public IPage Page { get; } = page;

    public ILocator Heading => Page.Locator(".mud-main-content h1");

    public ILocator Table => Page.Locator("#admin-workspaces");

    /// <summary>"N workspaces" for the current filters (all pages).</summary>
    public ILocator Total => Page.GetByTestId("admin-total");

    public ILocator StatusFilter => Page.Locator("#admin-status-filter");

    public ILocator ErrorCodeFilter => Page.Locator("#admin-error-filter");

    public ILocator Pagination => Page.Locator("nav.mud-pagination, .mud-pagination");

    public ILocator Row(string workspaceName) =>
        Table.Locator("tr").Filter(new LocatorFilterOptions { Has = Page.Locator($"[data-workspace-name='{workspaceName}']") });

    /// <summary>The row's status chip; its text is the status, e.g. "error".</summary>
    public ILocator StatusOf(string workspaceName) => Row(workspaceName).Locator("[data-status]");

    public ILocator RetryButton(string workspaceName) =>
        Page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = $"Retry {workspaceName}", Exact = true });

    /// <summary>Why the last retry from this page was refused, under the Retry button.</summary>
    public ILocator RetryRefusal(string workspaceName) => Row(workspaceName).GetByTestId("retry-refusal");

    public ILocator ShowDetailsButton(string workspaceName) =>
        Page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = $"Show details of {workspaceName}", Exact = true });

    public ILocator HideDetailsButton(string workspaceName) =>
        Page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = $"Hide details of {workspaceName}", Exact = true });

    public ILocator Detail(string workspaceName) => Page.Locator($"section[aria-label='Failure detail of {workspaceName}']");

    public ILocator ErrorCode(string workspaceName) => Detail(workspaceName).GetByTestId("error-code");

    /// <summary>The exception text of the current error.</summary>
    public ILocator TechnicalDetail(string workspaceName) => Detail(workspaceName).GetByTestId("technical-detail");

    public ILocator CorrelationId(string workspaceName) => Detail(workspaceName).GetByTestId("correlation-id");

    /// <summary>One row per attempt: #, trigger, by, outcome, error, started, finished, correlation id.</summary>
    public ILocator Attempts(string workspaceName) => Detail(workspaceName).Locator("[data-attempt]");

    public ILocator StepRow(string workspaceName, string step) => Detail(workspaceName).Locator($"[data-step='{step}']");

    public ILocator StepRetryCount(string workspaceName, string step) => StepRow(workspaceName, step).GetByTestId("retry-count");

    /// <summary>The step's error details, JSON pretty-printed.</summary>
    public ILocator StepErrorDetails(string workspaceName, string step) =>
        Detail(workspaceName).Locator($"[data-step-details='{step}']").GetByTestId("error-details");

    /// <summary>Opens <c>/admin</c> (optionally filtered, e.g. status "error") and waits for the circuit.</summary>
    public async Task GotoAsync(string? status = null, string? errorCode = null)
    {
        var query = string.Join("&", new[] { status is null ? null : $"status={status}", errorCode is null ? null : $"error_code={errorCode}" }
            .Where(q => q is not null));
        await Page.GotoAsync(query.Length == 0 ? "admin" : $"admin?{query}");
        await BrowserFixture.WaitForInteractiveAsync(Page);
    }

    /// <summary>Chooses a status in the filter: "All but deleted", "provisioning", "ready", "error", "deprovisioning", "deleted".</summary>
    public async Task FilterByStatusAsync(string option)
    {
        await MudSelects.ChooseAsync(Page, StatusFilter, option);
        await Page.WaitForURLAsync(url => option == "All but deleted" ? !url.Contains("status=", StringComparison.Ordinal) : url.Contains($"status={option}", StringComparison.Ordinal));
    }

    /// <summary>Chooses an error code in the filter, or "Any error code".</summary>
    public async Task FilterByErrorCodeAsync(string option)
    {
        await MudSelects.ChooseAsync(Page, ErrorCodeFilter, option);
        await Page.WaitForURLAsync(url => option == "Any error code" ? !url.Contains("error_code=", StringComparison.Ordinal) : url.Contains($"error_code={option}", StringComparison.Ordinal));
    }

    public async Task ShowDetailsAsync(string workspaceName)
    {
        await ShowDetailsButton(workspaceName).ClickAsync();
        await Detail(workspaceName).WaitForAsync();
    }

    /// <summary>Presses Retry; the row then shows "provisioning", or a refusal under the button.</summary>
    public Task RetryAsync(string workspaceName) => RetryButton(workspaceName).ClickAsync();
}
