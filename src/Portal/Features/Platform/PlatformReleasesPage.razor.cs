using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;
using Portal.Components.Shared;
using Portal.Features.Identity;
using Portal.Features.Releases;
using Provisioning.Core.Releases;
using Provisioning.Core.Templates;

namespace Portal.Features.Platform;

/// <summary>Releases with their availability; a platform admin creates and retires releases, uploads or removes artifacts here.</summary>
public sealed partial class PlatformReleasesPage : IDisposable
{
    private readonly CancellationTokenSource _disposed = new();
    private bool? _allowed;
    private IReadOnlyList<ReleaseView>? _releases;
    private string? _uploadReleaseId;
    private string? _removing;
    private string? _retiring;
    private NewReleaseModel _new = new();
    private Dictionary<string, string[]> _errors = [];
    private string? _createRefusal;
    private bool _creating;

    [Inject]
    private ReleaseCatalog Catalog { get; set; } = default!;

    [Inject]
    private TemplateCatalog Templates { get; set; } = default!;

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

    private async Task LoadAsync() => _releases = await Catalog.ListAsync(_disposed.Token, includeRetired: true);

    private bool Has(string field) => _errors.ContainsKey(field);

    private string? Error(string field) => _errors.TryGetValue(field, out var messages) ? messages[0] : null;

    /// <summary>The API's own checks, shown beside the fields; nothing is created while one fails.</summary>
    private async Task CreateAsync()
    {
        _createRefusal = null;
        var request = new NewReleaseRequest(_new.Name?.Trim(), _new.Version?.Trim(), _new.Template, _new.DefaultCpu, _new.DefaultMemoryGb, _new.Description, _new.Source);
        _errors = PlatformReleasesApi.Check(request);
        if (_errors.Count > 0)
        {
            return;
        }

        _creating = true;
        try
        {
            var (outcome, release) = await Catalog.CreateAsync(request.ToRelease(), _disposed.Token);
            switch (outcome)
            {
                case CreateReleaseOutcome.Created:
                    Snackbar.Add($"Release {release!.Id} created; upload its artifact to make it available.", Severity.Success);
                    _new = new NewReleaseModel();
                    await LoadAsync();
                    _uploadReleaseId = release.Id;
                    break;
                case CreateReleaseOutcome.Exists:
                    _createRefusal = $"Release {request.Name}@{request.Version} already exists.";
                    break;
                default:
                    _createRefusal = $"There is no template '{request.Template}'.";
                    break;
            }
        }
        finally
        {
            _creating = false;
        }
    }

    private async Task RetireAsync(ReleaseView release)
    {
        var confirmed = await Dialogs.ShowMessageBoxAsync(
            "Retire release",
            $"Retire {release.Id}? Nobody can request a new workspace of it; the workspaces that have it keep it.",
            yesText: "Retire", cancelText: "Cancel");
        if (confirmed != true)
        {
            return;
        }

        _retiring = release.Id;
        try
        {
            if (await Catalog.RetireAsync(release.Id, _disposed.Token) is not null)
            {
                Snackbar.Add($"{release.Id} retired.", Severity.Info);
            }

            await LoadAsync();
        }
        finally
        {
            _retiring = null;
        }
    }

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
        if (outcome == PublishOutcome.InvalidArtifact)
        {
            return new ArtifactUploadOutcome(Error: $"Nothing was stored. {detail}");
        }

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

    private sealed class NewReleaseModel
    {
        public string? Name { get; set; }

        public string? Version { get; set; }

        public string? Template { get; set; }

        public int? DefaultCpu { get; set; } = 1;

        public int? DefaultMemoryGb { get; set; } = 2;

        public string? Description { get; set; }

        public string? Source { get; set; }
    }

    public void Dispose()
    {
        _disposed.Cancel();
        _disposed.Dispose();
    }
}
