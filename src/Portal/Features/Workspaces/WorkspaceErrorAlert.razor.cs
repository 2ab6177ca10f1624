using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Provisioning.Core.Errors;
using Provisioning.Core.Workspaces;

namespace Portal.Features.Workspaces;

/// <summary>
/// A workspace in error: the user message and the code, and Retry first among its actions. Retry goes into its
/// loading state at once, cannot be pressed again until the answer is in (the guard is set before anything is
/// awaited; the second click of a double click is dropped, since it may arrive after a quick answer), and a refused
/// retry (409, 503) is explained right here, with the focus back on Retry.
/// </summary>
public sealed partial class WorkspaceErrorAlert
{
    private bool _inFlight;
    private bool _refocus;
    private string? _refusal;
    private Guid _workspaceId;
    private ElementReference _retryButton;
    private readonly Dictionary<string, string> _sizeErrors = [];
    private bool _resizing;
    private int _cpu;
    private int _memoryGb;

    [Parameter, EditorRequired]
    public WorkspaceDetail Workspace { get; set; } = default!;

    /// <summary>Asks for the retry; null when it started, else why not, in the user's words (<see cref="RetryMessages"/>).</summary>
    [Parameter, EditorRequired]
    public Func<Task<string?>> OnRetry { get; set; } = default!;

    /// <summary>Further actions shown after Retry (the page's Delete), so that Retry is the first stop of the Tab key.</summary>
    [Parameter]
    public RenderFragment? Actions { get; set; }

    /// <summary>
    /// Retries with another size (issue 22, point 8); offered where the failure says the size is the problem
    /// (capacity reached, configuration invalid). Null when the page offers no resize.
    /// </summary>
    [Parameter]
    public Func<WorkspaceSize, Task<string?>>? OnRetryWithSize { get; set; }

    private bool CanResize => OnRetryWithSize is not null && Workspace.ErrorCode is ErrorCatalogue.InsufficientResources or ErrorCatalogue.VmConfigInvalid;

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

    private Task RetryClickedAsync(MouseEventArgs click) => click.Detail > 1 ? Task.CompletedTask : RetryAsync();

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        // Disabled while it was in flight, the button lost the focus; a refused retry gives it back.
        if (_refocus)
        {
            _refocus = false;
            if (!IsBusy)
            {
                await _retryButton.FocusAsync();
            }
        }
    }

    private void OpenResize()
    {
        _resizing = true;
        _cpu = Workspace.Size.Cpu;
        _memoryGb = Workspace.Size.MemoryGb;
        _sizeErrors.Clear();
    }

    private void CloseResize() => _resizing = false;

    private async Task RetryWithSizeAsync()
    {
        _sizeErrors.Clear();
        if (WorkspaceRules.CheckCpu(_cpu) is { } cpu)
        {
            _sizeErrors["cpu"] = cpu;
        }

        if (WorkspaceRules.CheckMemory(_memoryGb) is { } memory)
        {
            _sizeErrors["memory"] = memory;
        }

        if (_sizeErrors.Count > 0 || IsBusy)
        {
            return;
        }

        var size = new WorkspaceSize(_cpu, _memoryGb);
        await AskAsync(() => OnRetryWithSize!(size));
        _resizing = _refusal is not null;
    }

    private async Task RetryAsync()
    {
        // The guard that makes a double click one retry, set before the first await.
        if (IsBusy)
        {
            return;
        }

        await AskAsync(OnRetry);
    }

    /// <summary>Asks for a retry: busy from before the first await until the answer is in; a refusal is shown, with the focus back on Retry.</summary>
    private async Task AskAsync(Func<Task<string?>> ask)
    {
        _inFlight = true;
        _refusal = null;
        try
        {
            _refusal = await ask();
            _refocus = _refusal is not null;
        }
        finally
        {
            _inFlight = false;
        }
    }
}
