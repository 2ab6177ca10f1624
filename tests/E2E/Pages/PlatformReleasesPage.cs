using E2E.Infrastructure;
using Microsoft.Playwright;

namespace E2E.Pages;

/// <summary>The platform admin's releases (<c>/platform/releases</c>): availability, upload and remove artifacts.</summary>
public sealed class PlatformReleasesPage(IPage page)
{
    public IPage Page { get; } = page;

    public ILocator Heading => Page.Locator(".mud-main-content h1");

    public ILocator Table => Page.Locator("#releases");

    public ILocator Row(string releaseId) =>
        Table.Locator("tr").Filter(new LocatorFilterOptions { Has = Page.Locator($"[data-release-id='{releaseId}']") });

    /// <summary>"available" or "unavailable".</summary>
    public ILocator Availability(string releaseId) => Row(releaseId).GetByTestId("availability");

    public ILocator UploadButtonFor(string releaseId) =>
        Page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = $"Upload an artifact for {releaseId}", Exact = true });

    public ILocator RemoveButtonFor(string releaseId) =>
        Page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = $"Remove the artifact of {releaseId}", Exact = true });

    public ILocator UploadForm => Page.GetByTestId("artifact-upload");

    public ILocator ReleaseSelect => Page.Locator("#upload-release");

    /// <summary>MudFileUpload adds a fresh input after each choice; the last one is the live one.</summary>
    public ILocator FileInput => UploadForm.Locator("input[type=file]").Last;

    public ILocator ChosenFileName => Page.GetByTestId("upload-file-name");

    public ILocator ExpectedSha256 => Page.Locator("#upload-sha");

    /// <summary>The inline error under the SHA-256 field: malformed, or not the checksum of the file.</summary>
    public ILocator ExpectedSha256Error => MudSelects.ErrorUnder(ExpectedSha256);

    public ILocator UploadButton => Page.Locator("#upload-submit");

    public ILocator ConfirmDialog => Page.Locator(".mud-dialog");

    public async Task GotoAsync()
    {
        await Page.GotoAsync("platform/releases");
        await BrowserFixture.WaitForInteractiveAsync(Page);
        await Table.Locator("[data-release-id]").First.WaitForAsync();
    }

    /// <summary>
    /// Uploads <paramref name="content"/> as the artifact of <paramref name="releaseId"/>, with an expected checksum
    /// when given, and waits until the upload is answered (the button is enabled again).
    /// </summary>
    public async Task UploadAsync(string releaseId, string fileName, byte[] content, string? expectedSha256 = null)
    {
        await UploadButtonFor(releaseId).ClickAsync();
        await FileInput.SetInputFilesAsync(new FilePayload { Name = fileName, MimeType = "application/json", Buffer = content });
        await Microsoft.Playwright.Assertions.Expect(ChosenFileName).ToHaveTextAsync(fileName);
        if (expectedSha256 is not null)
        {
            await ExpectedSha256.FillAsync(expectedSha256);
            await ExpectedSha256.BlurAsync();
        }

        await UploadButton.ClickAsync();
        // Answered: the form is cleared for the next file (published), or shows an error.
        await Page.WaitForFunctionAsync("""
            () => !document.querySelector('#upload-submit').disabled
                && (document.querySelector('[data-testid=upload-file-name]').textContent.trim() === 'No file chosen'
                    || document.querySelector('[data-testid=artifact-upload] .mud-input-error, [data-testid=upload-error]') !== null)
            """);
    }

    /// <summary>Removes the artifact, confirming in the dialog; the release then shows "unavailable".</summary>
    public async Task RemoveArtifactAsync(string releaseId)
    {
        await RemoveButtonFor(releaseId).ClickAsync();
        await ConfirmDialog.GetByRole(AriaRole.Button, new LocatorGetByRoleOptions { Name = "Remove", Exact = true }).ClickAsync();
        await Microsoft.Playwright.Assertions.Expect(Availability(releaseId)).ToHaveTextAsync("unavailable");
    }
}
