using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;
using Portal.Components.Shared;
using Portal.Features.Identity;
using Provisioning.Core.Engine;
using Provisioning.Core.Workspaces;

namespace Portal.Features.Workspaces;

/// <summary>
/// One workspace, live: the steps, the error with Retry, the timeline and the resources. Every committed event of
/// this workspace reloads what the page shows (<see cref="IWorkspaceUpdates"/>), so progress, failure and a retry's
/// new attempt appear without a reload. Another tenant's workspace is as absent as one that does not exist.
/// </summary>
public sealed partial class WorkspacePage : IDisposable
{
    private readonly CancellationTokenSource _disposed = new();
    private CurrentUser? _user;
    private WorkspaceDetail? _workspace;
    private IReadOnlyList<EventView> _events = [];
    private IReadOnlyList<ResourceView> _resources = [];
    private LiveRefresh? _live;
    private Guid _liveFor;
    private bool _loaded;
    private bool _deleting;
    private bool _focusStatus;
    private ElementReference _status;
    private string? _deleteRefusal;
    private int _loadVersion;

    [Parameter]
    public Guid Id { get; set; }

    [CascadingParameter]
    private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    [CascadingParameter]
    private HttpContext? HttpContext { get; set; }

    [Inject]
    private WorkspaceQueries Queries { get; set; } = default!;

    [Inject]
    private ProvisioningRequests Requests { get; set; } = default!;

    [Inject]
    private Security.PortalThrottle Throttle { get; set; } = default!;

    [Inject]
    private StepRetryPolicy RetryPolicy { get; set; } = default!;

    [Inject]
    private IWorkspaceUpdates Updates { get; set; } = default!;

    [Inject]
    private IDialogService Dialogs { get; set; } = default!;

    [Inject]
    private ILogger<WorkspacePage> Logger { get; set; } = default!;

    private bool CanDelete => _workspace?.Status is WorkspaceStatus.Ready or WorkspaceStatus.Error;

    private int ProgressPercent
    {
        get
        {
            var steps = _workspace?.Steps ?? [];
            return steps.Count == 0 ? 0 : 100 * steps.Count(s => s.Status is StepStatus.Success or StepStatus.Skipped) / steps.Count;
        }
    }

    private string ProgressText
    {
        get
        {
            var steps = _workspace?.Steps ?? [];
            var index = steps.ToList().FindIndex(s => s.Status is StepStatus.Running or StepStatus.Failed or StepStatus.Pending);
            return index < 0
                ? "Provisioning: finishing…"
                : string.Create(CultureInfo.InvariantCulture, $"Provisioning: step {index + 1} of {steps.Count}, {WorkspaceText.StepTitle(steps[index].Name)}");
        }
    }

    /// <summary>
    /// What a screen reader hears when the workspace moves on (the live region is on the page from the start, so every
    /// change of it is announced): the status, the step being provisioned, or the error in the user's words.
    /// </summary>
    private string Announcement => _workspace switch
    {
        null => "",
        { Status: WorkspaceStatus.Provisioning } => $"{_workspace.Name}: {ProgressText}.",
        { Status: WorkspaceStatus.Error } workspace =>
            $"{workspace.Name} could not be provisioned. {workspace.ErrorDetail ?? Provisioning.Core.Errors.ErrorCatalogue.Get(workspace.ErrorCode ?? Provisioning.Core.Errors.ErrorCatalogue.Unknown).UserMessage}",
        var workspace => $"{workspace.Name} is {WorkspaceText.Status(workspace.Status)}.",
    };

    protected override async Task OnInitializedAsync() =>
        _user = CurrentUser.From((await AuthenticationState).User);

    protected override async Task OnParametersSetAsync()
    {
        if (_liveFor != Id)
        {
            // Another workspace in the same page instance: start afresh.
            _live?.Dispose();
            _live = null;
            _loaded = false;
            _deleteRefusal = null;
        }

        // Subscribed before loading, so no event committed after the load can be missed; only on the circuit,
        // not while prerendering (no one would hear it).
        if (RendererInfo.IsInteractive && _live is null && _user?.TenantId is { } tenantId)
        {
            var id = Id;
            _liveFor = id;
            _live = LiveRefresh.Subscribe(Updates, tenantId, c => c.WorkspaceId == id && !c.IsStepLog, InvokeAsync, RefreshAsync, Logger);
        }

        await LoadAsync();
        _loaded = true;
        if (_workspace is null && HttpContext is { Response.HasStarted: false } http)
        {
            // Prerendered: the browser (and a crawler) get the 404 the API gives.
            http.Response.StatusCode = StatusCodes.Status404NotFound;
        }
    }

    private async Task RefreshAsync()
    {
        await LoadAsync();
        StateHasChanged();
    }

    private async Task LoadAsync()
    {
        if (_user?.TenantId is not { } tenantId)
        {
            _workspace = null;
            return;
        }

        var version = Interlocked.Increment(ref _loadVersion);
        var id = Id;
        var token = _disposed.Token;
        var workspace = Queries.GetAsync(tenantId, id, token);
        var events = Queries.EventsAsync(tenantId, id, includeTechnicalDetail: false, token);
        var resources = Queries.ResourcesAsync(tenantId, id, token);
        await Task.WhenAll(workspace, events, resources);

        // An older load that finishes after a newer one must not overwrite it.
        if (version != _loadVersion)
        {
            return;
        }

        _workspace = await workspace;
        _events = await events ?? [];
        _resources = await resources ?? [];
    }

    private Task<string?> RetryAsync() => RetryAsync(size: null);

    private async Task<string?> RetryAsync(WorkspaceSize? size)
    {
        var user = _user!;
        if (Throttle.Write(user.Id) is { } throttled)
        {
            return RetryMessages.Throttled(throttled);
        }

        var result = await Requests.RetryAsync(Id, user.TenantId!, user.Actor, size, _disposed.Token);
        // Show the new attempt (or the refreshed error) at once, not only when its first event arrives.
        await LoadAsync();
        // The alert and its button are gone: the focus goes to the workspace's status, not to the page's body.
        _focusStatus = result.Attempt is not null;
        return RetryMessages.Explain(result);
    }

    private async Task DeleteAsync()
    {
        if (_deleting || _workspace is not { } workspace)
        {
            return;
        }

        _deleting = true;
        _deleteRefusal = null;
        try
        {
            var confirmed = await Dialogs.ShowMessageBoxAsync(new MessageBoxOptions
            {
                Title = $"Delete {workspace.Name}?",
                Message = "Every resource of the workspace is released, and it cannot be undone.",
                YesText = "Delete",
                CancelText = "Cancel",
            });
            if (confirmed != true)
            {
                return;
            }

            var user = _user!;
            var (_, refusal) = await Requests.DeleteAsync(Id, user.TenantId!, user.Actor, _disposed.Token);
            _deleteRefusal = refusal switch
            {
                null => null,
                DeleteRefusal.ProvisioningInProgress => "The workspace is being provisioned; delete it once that ends.",
                _ => "The workspace no longer exists.",
            };
            await LoadAsync();
        }
        finally
        {
            _deleting = false;
        }
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (_focusStatus && _workspace is not null)
        {
            _focusStatus = false;
            await _status.FocusAsync();
        }
    }

    public void Dispose()
    {
        _live?.Dispose();
        _disposed.Cancel();
    }
}
