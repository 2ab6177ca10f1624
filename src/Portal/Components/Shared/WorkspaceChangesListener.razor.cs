using Microsoft.AspNetCore.Components;
using Provisioning.Core.Workspaces;

namespace Portal.Components.Shared;

/// <summary>
/// Calls <see cref="OnChanged"/> on the circuit's dispatcher when workspace events are committed, so a page can
/// reload what it shows: <see cref="LiveRefresh"/> for markup, with a short delay that turns a burst of events
/// into one refresh.
/// </summary>
public sealed partial class WorkspaceChangesListener : IDisposable
{
    private LiveRefresh? _live;

    [Inject]
    private IWorkspaceUpdates Updates { get; set; } = default!;

    [Inject]
    private TimeProvider Time { get; set; } = default!;

    [Inject]
    private ILogger<WorkspaceChangesListener> Logger { get; set; } = default!;

    /// <summary>The tenant whose changes to listen to; nothing is subscribed while it is null, unless <see cref="AllTenants"/>.</summary>
    [Parameter]
    public string? TenantId { get; set; }

    /// <summary>Listen to every tenant (platform admins). Explicit, so a tenant id not loaded yet never means "all".</summary>
    [Parameter]
    public bool AllTenants { get; set; }

    /// <summary>How long to wait after a change before refreshing, so a burst of events becomes one refresh.</summary>
    [Parameter]
    public TimeSpan Delay { get; set; } = TimeSpan.FromMilliseconds(150);

    [Parameter]
    public EventCallback OnChanged { get; set; }

    protected override void OnParametersSet()
    {
        // Subscribe once, as soon as there is something to listen to; a page's tenant does not change.
        if (_live is null && (AllTenants || TenantId is not null))
        {
            _live = LiveRefresh.Subscribe(Updates, AllTenants ? null : TenantId, c => !c.IsStepLog, InvokeAsync, () => OnChanged.InvokeAsync(), Logger, Delay, Time);
        }
    }

    public void Dispose() => _live?.Dispose();
}
