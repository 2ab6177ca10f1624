using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;
using Provisioning.Core.Releases;

namespace Portal.Features.Platform;

/// <summary>An artifact to publish: the chosen file, and the checksum it must have when one is given.</summary>
public sealed record ArtifactUpload(string ReleaseId, IBrowserFile File, string? ExpectedSha256);

/// <summary>How a publish went: null fields when it was stored; a checksum mismatch belongs to the SHA-256 field.</summary>
public sealed record ArtifactUploadOutcome(string? ChecksumMismatch = null, string? Error = null)
{
    public static ArtifactUploadOutcome Published { get; } = new();
}

/// <summary>
/// Uploads a release artifact: release, file, and an optional expected SHA-256 checked as the API checks it.
/// A checksum that does not match the bytes comes back from <see cref="Publish"/> and is shown on the field.
/// </summary>
public sealed partial class ArtifactUploadForm
{
    /// <summary>The API's limit for an artifact, 64 MiB.</summary>
    public const long MaxBytes = 64L * 1024 * 1024;

    internal const string ReleaseField = "release";
    internal const string FileField = "file";
    internal const string ShaField = "sha256";

    private MudBlazor.MudFileUpload<IBrowserFile>? _upload;
    private string? _releaseId;
    private string? _lastPreselected;
    private IBrowserFile? _file;
    private string? _expectedSha256;
    private Dictionary<string, string> _errors = [];
    private string? _error;
    private bool _submitted;
    private bool _busy;

    [Parameter, EditorRequired]
    public IReadOnlyList<ReleaseView> Releases { get; set; } = [];

    /// <summary>A release to select, e.g. the row whose "Upload" was pressed.</summary>
    [Parameter]
    public string? PreselectedReleaseId { get; set; }

    [Parameter, EditorRequired]
    public Func<ArtifactUpload, Task<ArtifactUploadOutcome>> Publish { get; set; } = default!;

    protected override void OnParametersSet()
    {
        if (PreselectedReleaseId != _lastPreselected)
        {
            _lastPreselected = PreselectedReleaseId;
            _releaseId = PreselectedReleaseId;
        }
    }

    internal static Dictionary<string, string> Check(string? releaseId, IBrowserFile? file, string? expectedSha256)
    {
        var errors = new Dictionary<string, string>();
        if (string.IsNullOrEmpty(releaseId))
        {
            errors[ReleaseField] = "Choose a release.";
        }

        if (file is null)
        {
            errors[FileField] = "Choose the artifact file.";
        }
        else if (file.Size > MaxBytes)
        {
            errors[FileField] = "The file is larger than 64 MiB.";
        }

        if (!string.IsNullOrWhiteSpace(expectedSha256) && !PlatformRules.IsSha256(expectedSha256.Trim()))
        {
            errors[ShaField] = "The checksum must be 64 hexadecimal characters.";
        }

        return errors;
    }

    private string? ErrorFor(string field) => _errors.GetValueOrDefault(field);

    private void ChooseFile(IBrowserFile? file) => Change(() => _file = file);

    private void Change(Action set)
    {
        set();
        _error = null;
        if (_submitted)
        {
            _errors = Check(_releaseId, _file, _expectedSha256);
        }
    }

    private async Task SubmitAsync()
    {
        if (_busy)
        {
            return;
        }

        _submitted = true;
        _error = null;
        _errors = Check(_releaseId, _file, _expectedSha256);
        if (_errors.Count > 0)
        {
            return;
        }

        _busy = true;
        try
        {
            var sha = string.IsNullOrWhiteSpace(_expectedSha256) ? null : _expectedSha256.Trim();
            var outcome = await Publish(new ArtifactUpload(_releaseId!, _file!, sha));
            if (outcome.ChecksumMismatch is { } mismatch)
            {
                _errors[ShaField] = mismatch;
            }

            _error = outcome.Error;
            if (outcome == ArtifactUploadOutcome.Published)
            {
                // Ready for the next upload; the release stays selected.
                _file = null;
                _expectedSha256 = null;
                _submitted = false;
                if (_upload is not null)
                {
                    await _upload.ClearAsync();
                }
            }
        }
        finally
        {
            _busy = false;
        }
    }
}
