using System.Globalization;
using Microsoft.AspNetCore.Components;
using MudBlazor;
using Provisioning.Core.Releases;
using Provisioning.Core.Workspaces;

namespace Portal.Features.Workspaces;

/// <summary>
/// The "New workspace" dialog: name, release and size, checked inline with the API's own rules
/// (<see cref="WorkspaceRules"/>) before anything is sent; a name already taken is said on the name field.
/// Closes with the new workspace's id.
/// </summary>
public sealed partial class CreateWorkspaceDialog
{
    private MudForm? _form;
    private MudTextField<string>? _nameField;
    private MudSelect<string>? _releaseField;
    private bool _isValid;
    private bool _submitting;
    private string? _takenName;
    private string? _unknownRelease;
    private string? _failure;

    [CascadingParameter]
    private IMudDialogInstance Dialog { get; set; } = default!;

    [Parameter, EditorRequired]
    public IReadOnlyList<ReleaseView> Releases { get; set; } = [];

    /// <summary>Sends the request (the page calls <c>ProvisioningRequests.CreateAsync</c>).</summary>
    [Parameter, EditorRequired]
    public Func<CreateWorkspaceModel, Task<CreateWorkspaceOutcome>> OnCreate { get; set; } = default!;

    /// <summary>Whether a workspace of the tenant already has the name; checked when the name field loses focus.</summary>
    [Parameter]
    public Func<string, Task<bool>>? IsNameTaken { get; set; }

    public CreateWorkspaceModel Model { get; } = new();

    private ReleaseView? SelectedRelease => Releases.FirstOrDefault(r => r.Id == Model.ReleaseId);

    private string? ReleaseHelperText => SelectedRelease is null ? "What to install in the workspace." : null;

    internal static string NameTakenMessage(string name) => $"A workspace named '{name}' already exists.";

    // The API's rules, then what the server said about this very name.
    private string? ValidateName(string? name) =>
        WorkspaceRules.CheckName(name) ?? (name is not null && name == _takenName ? NameTakenMessage(name) : null);

    private string? ValidateRelease(string? id) =>
        string.IsNullOrEmpty(id) ? "Choose a release." : id == _unknownRelease ? $"There is no release '{id}'." : null;

    private string ReleaseLabel(string? id) =>
        Releases.FirstOrDefault(r => r.Id == id) is { } r ? $"{r.Name} {r.Version}{(r.Available ? "" : " (unavailable)")}" : id ?? "";

    private static string SizeHelper(int? releaseDefault, int min, int max, string unit) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{min}–{max}{unit}; empty for the release's default{(releaseDefault is { } d ? $" ({d}{unit})" : "")}.");

    private async Task CheckNameTakenAsync()
    {
        if (IsNameTaken is null || Model.Name is not { } name || WorkspaceRules.CheckName(name) is not null)
        {
            return;
        }

        if (await IsNameTaken(name) && Model.Name == name)
        {
            await MarkNameTakenAsync(name);
        }
    }

    private async Task MarkNameTakenAsync(string name)
    {
        _takenName = name;
        if (_nameField is not null)
        {
            await _nameField.ValidateAsync();
        }
    }

    private void Cancel() => Dialog.Cancel();

    private async Task SubmitAsync()
    {
        // Set before the first await: a double click creates one workspace.
        if (_submitting)
        {
            return;
        }

        _submitting = true;
        _failure = null;
        try
        {
            if (_form is not null)
            {
                await _form.ValidateAsync();
            }

            if (!_isValid)
            {
                return;
            }

            var outcome = await OnCreate(Model);
            switch (outcome)
            {
                case { WorkspaceId: { } id }:
                    Dialog.Close(DialogResult.Ok(id));
                    break;
                case { Throttled: { } tooMany }:
                    _failure = tooMany;
                    break;
                case { Refusal: CreateRefusal.NameTaken }:
                    await MarkNameTakenAsync(Model.Name ?? "");
                    break;
                case { Refusal: CreateRefusal.UnknownRelease }:
                    _unknownRelease = Model.ReleaseId;
                    if (_releaseField is not null)
                    {
                        await _releaseField.ValidateAsync();
                    }

                    break;
                case { Refusal: CreateRefusal.ReleaseRetired }:
                    _failure = "This release was retired meanwhile: choose another one.";
                    break;
                case { Refusal: CreateRefusal.TemplateNotLoaded }:
                    _failure = "This release cannot be provisioned now: its template is missing. A platform admin has to restore it.";
                    break;
                default:
                    _failure = "The workspace could not be created. Try again.";
                    break;
            }
        }
        finally
        {
            _submitting = false;
        }
    }
}
