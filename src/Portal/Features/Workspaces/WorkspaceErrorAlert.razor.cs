using Microsoft.AspNetCore.Components;
using Provisioning.Core.Errors;
using Provisioning.Core.Workspaces;

namespace Portal.Features.Workspaces;

/// <summary>
/// A workspace in error: the user message and the code, and Retry. Retry goes into its loading state at once,
/// cannot be pressed again until the answer is in (the guard is set before anything is awaited), and a refused
/// retry (409, 503) is explained right here.
/// </summary>
public sealed partial class WorkspaceErrorAlert
{
    private bool _inFlight;
    private string? _refusal;
    private Guid _workspaceId;

    [Parameter, EditorRequired]
    public WorkspaceDetail Workspace { get; set; } = default!;

    /// <summary>Asks for the retry; null when it started, else why not, in the user's words (<see cref="RetryMessages"/>).</summary>
    [Parameter, EditorRequired]
    public Func<Task<string?>> OnRetry { get; set; } = default!;

    private bool IsBusy => _inFlight || Workspace.Status != WorkspaceStatus.Error;

    private string Message => Workspace.ErrorDetail ?? ErrorCatalogue.Get(Workspace.ErrorCode ?? ErrorCatalogue.Unknown).UserMessage;

    protected override void OnParametersSet()
    {
        // A refusal belongs to the workspace it was given for; once it is ready (or going away) it no longer applies.
        if (_workspaceId != Workspace.WorkspaceId || Workspace.Status is WorkspaceStatus.Ready or WorkspaceStatus.Deprovisioning or WorkspaceStatus.Deleted)
        {
            _refusal = null;
        }

        _workspaceId = Workspace.WorkspaceId;
    }

    private async Task RetryAsync()
    {
        // The guard that makes a double click one retry, set before the first await.
        if (IsBusy)
        {
            return;
        }

        _inFlight = true;
        _refusal = null;
        try
        {
            _refusal = await OnRetry();
        }
        finally
        {
            _inFlight = false;
        }
    }
}
