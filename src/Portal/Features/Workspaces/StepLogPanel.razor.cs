using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.JSInterop;
using Portal.Components.Shared;
using Portal.Features.Identity;
using Provisioning.Core.Workspaces;

namespace Portal.Features.Workspaces;

/// <summary>
/// The log of one template step (DESIGN §11), live: it loads the lines of the latest attempt, then the new ones each
/// time the step saves some (<see cref="WorkspaceEventTypes.StepLogAppended"/>), and follows the end while the reader
/// is there. A new attempt starts the panel over.
/// </summary>
public sealed partial class StepLogPanel : IAsyncDisposable
{
    private readonly List<StepLogLineView> _lines = [];
    private ElementReference _box;
    private IJSObjectReference? _script;
    private LiveRefresh? _live;
    private string? _tenantId;
    private int _attempt;
    private bool _loaded;
    private bool _grew;

    [Parameter, EditorRequired]
    public Guid WorkspaceId { get; set; }

    [Parameter, EditorRequired]
    public string Step { get; set; } = "";

    [CascadingParameter]
    private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    [Inject]
    private WorkspaceQueries Queries { get; set; } = default!;

    [Inject]
    private IWorkspaceUpdates Updates { get; set; } = default!;

    [Inject]
    private IJSRuntime JS { get; set; } = default!;

    [Inject]
    private ILogger<StepLogPanel> Logger { get; set; } = default!;

    protected override async Task OnInitializedAsync()
    {
        _tenantId = CurrentUser.From((await AuthenticationState).User)?.TenantId;
        if (_tenantId is null)
        {
            return;
        }

        // Subscribed before the first load, so no line saved after it is missed.
        if (RendererInfo.IsInteractive)
        {
            _live = LiveRefresh.Subscribe(Updates, _tenantId, c => c.WorkspaceId == WorkspaceId && c.IsStepLog, InvokeAsync, RefreshAsync, Logger);
        }

        await LoadAsync();
        _loaded = true;
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (!RendererInfo.IsInteractive)
        {
            return;
        }

        if (firstRender)
        {
            _script = await JS.InvokeAsync<IJSObjectReference>("import", "./js/step-log.js");
            await _script.InvokeVoidAsync("attach", _box);
        }

        if (_grew && _script is not null)
        {
            _grew = false;
            await _script.InvokeVoidAsync("follow", _box);
        }
    }

    private async Task RefreshAsync()
    {
        await LoadAsync();
        StateHasChanged();
    }

    /// <summary>The lines after the last one shown, page by page; all of them again when a newer attempt has lines.</summary>
    private async Task LoadAsync()
    {
        while (true)
        {
            var after = _lines.Count > 0 ? _lines[^1].Number : 0;
            var page = await Queries.StepLogAsync(_tenantId!, WorkspaceId, Step, attempt: null, after, limit: 1000, CancellationToken.None);
            if (page is null)
            {
                return;
            }

            if (page.Attempt != _attempt)
            {
                if (_attempt != 0 && after > 0)
                {
                    _lines.Clear();
                    _attempt = page.Attempt;
                    continue;
                }

                _attempt = page.Attempt;
            }

            _lines.AddRange(page.Lines);
            _grew |= page.Lines.Count > 0;
            if (page.NextAfter is null)
            {
                return;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _live?.Dispose();
        if (_script is not null)
        {
            try
            {
                await _script.DisposeAsync();
            }
            catch (JSDisconnectedException)
            {
                // The page is gone, and the module with it.
            }
        }
    }
}
