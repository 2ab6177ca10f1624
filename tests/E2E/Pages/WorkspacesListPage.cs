using E2E.Infrastructure;
using Microsoft.Playwright;

namespace E2E.Pages;

/// <summary>The workspaces list at <c>/workspaces</c> and its "New workspace" dialog.</summary>
public sealed class WorkspacesListPage(IPage page)
{
    public IPage Page { get; } = page;

    public ILocator Heading => Page.Locator(".mud-main-content h1");

    public ILocator NewWorkspaceButton => Page.Locator("#new-workspace");

    public ILocator Search => Page.Locator("input#workspace-search");

    public ILocator Table => Page.Locator("#workspaces-table");

    public ILocator Dialog => Page.Locator(".mud-dialog.create-workspace-dialog");

    public ILocator NameField => Page.Locator("input#workspace-name");

    /// <summary>The name field's validation message (MudBlazor renders it as the field's helper line).</summary>
    public ILocator NameError => Dialog.Locator(".mud-input-control:has(#workspace-name) .mud-input-helper-text.mud-input-error");

    public ILocator ReleaseSelect => Dialog.Locator(".mud-input-control.mud-select:has(#workspace-release)");

    public ILocator UnavailableReleaseWarning => Dialog.Locator("[data-testid=release-unavailable]");

    public ILocator CreateButton => Page.Locator("#create-workspace-submit");

    public static async Task<WorkspacesListPage> OpenAsync(IBrowserContext context)
    {
        var page = await BrowserFixture.OpenAsync(context, "/workspaces");
        return new WorkspacesListPage(page);
    }

    /// <summary>The row of the workspace called <paramref name="name"/>.</summary>
    public ILocator Row(string name) => Table.Locator($"tr:has([data-workspace-name='{name}'])");

    /// <summary>The status the row of <paramref name="name"/> shows (provisioning, ready, error…).</summary>
    public ILocator RowStatus(string name, string status) => Row(name).Locator($"[data-row-status='{status}']");

    public Task OpenCreateDialogAsync() => NewWorkspaceButton.ClickAsync();

    /// <summary>Picks a release in the open dialog's select, by its id.</summary>
    public async Task ChooseReleaseAsync(string releaseId)
    {
        await ReleaseSelect.ClickAsync();
        await Page.Locator($".mud-popover-open [data-release='{releaseId}']").ClickAsync();
    }
}
