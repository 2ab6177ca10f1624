using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;
using Portal.Components.Shared;
using Portal.Features.Identity;
using Provisioning.Core.Releases;

namespace Portal.Features.Platform;

/// <summary>Releases with their availability; a platform admin uploads or removes artifacts here.</summary>
public sealed partial class PlatformReleasesPage : IDisposable
{
    private readonly CancellationTokenSource _disposed = new();
    private bool? _allowed;
    private IReadOnlyList<ReleaseView>? _releases;
    private string? _uploadReleaseId;
    private string? _removing;

    [Inject]
    private ReleaseCatalog Catalog { get; set; } = default!;

    [CascadingParameter]
    private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    [Inject]
    private IAuthorizationService Authorization { get; set; } = default!;

    [Inject]
    private IDialogService Dialogs { get; set; } = default!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = default!;

    [Inject]
    private IScrollManager Scroll { get; set; } = default!;

    protected override async Task OnInitializedAsync()
    {
        _allowed = await PageAccess.AllowsAsync(Authorization, AuthenticationState, PortalPolicies.PlatformAdmin);
        if (_allowed == true)
        {
            await LoadAsync();
        }
    }

    private async Task LoadAsync() => _releases = await Catalog.ListAsync(_disposed.Token);

    internal static string ShortSha(string sha256) => sha256.Length > 12 ? $"{sha256[..12]}…" : sha256;

    // On a phone the form is below the table: bring it into view with the release selected.
    private async Task PrepareUploadAsync(ReleaseView release)
    {
        _uploadReleaseId = release.Id;
        await Scroll.ScrollIntoViewAsync("#upload", ScrollBehavior.Smooth);
    }

    // The form calls this as a Func (it needs the outcome back), and a Func, unlike an EventCallback, does
    // not re-render this page: hence the explicit StateHasChanged after the list is reloaded.
    private async Task<ArtifactUploadOutcome> PublishAsync(ArtifactUpload upload)
    {
        await using var content = upload.File.OpenReadStream(ArtifactUploadForm.MaxBytes, _disposed.Token);
        var (outcome, release, detail) = await Catalog.PublishAsync(upload.ReleaseId, content, upload.ExpectedSha256, _disposed.Token);
        if (outcome == PublishOutcome.ChecksumMismatch)
        {
            return new ArtifactUploadOutcome(ChecksumMismatch:
                $"Checksum mismatch, nothing was stored. {detail?.Replace("The body", "The file", StringComparison.Ordinal)}");
        }

        await LoadAsync();
        StateHasChanged();
        if (release is null)
        {
            return new ArtifactUploadOutcome(Error: $"Release {upload.ReleaseId} no longer exists.");
        }

        Snackbar.Add($"Artifact of {release.Id} published; the release is {(release.Available ? "available" : "still unavailable")}.",
            release.Available ? Severity.Success : Severity.Warning);
        return ArtifactUploadOutcome.Published;
    }

    private async Task RemoveAsync(ReleaseView release)
    {
        var confirmed = await Dialogs.ShowMessageBoxAsync(
            "Remove artifact",
            $"Remove the artifact of {release.Id}? The release becomes unavailable: new workspaces of it fail with release_unavailable until an artifact is uploaded again.",
            yesText: "Remove", cancelText: "Cancel");
        if (confirmed != true)
        {
            return;
        }

        _removing = release.Id;
        try
        {
            if (await Catalog.RemoveArtifactAsync(release.Id, _disposed.Token))
            {
                Snackbar.Add($"Artifact of {release.Id} removed.", Severity.Info);
            }

            await LoadAsync();
        }
        finally
        {
            _removing = null;
        }
    }

    public void Dispose()
    {
        _disposed.Cancel();
        _disposed.Dispose();
    }
}
