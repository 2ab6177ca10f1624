using Microsoft.AspNetCore.Components;
using Provisioning.Core.Workspaces;

namespace Portal.Components.Shared;

/// <summary>
/// Calls <see cref="OnChanged"/> on the circuit's dispatcher when workspace events are committed, so a page can
/// reload what it shows. Changes that arrive while a refresh runs are coalesced into one more refresh: a burst of
/// step events costs a page two queries, not one per event.
/// </summary>
public sealed partial class WorkspaceChangesListener : IDisposable
{
    private readonly CancellationTokenSource _disposed = new();
    private IDisposable? _subscription;
    private int _pending;
    private int _running;

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
        if (_subscription is null && (AllTenants || TenantId is not null))
        {
            _subscription = Updates.Subscribe(AllTenants ? null : TenantId, Changed);
        }
    }

    // Called on an engine thread: only flags and schedules, the refresh runs on the circuit's dispatcher.
    private void Changed(WorkspaceChanged change)
    {
        Volatile.Write(ref _pending, 1);
        if (Interlocked.CompareExchange(ref _running, 1, 0) == 0)
        {
            _ = InvokeAsync(DrainAsync);
        }
    }

    private async Task DrainAsync()
    {
        try
        {
            while (!_disposed.IsCancellationRequested)
            {
                if (Delay > TimeSpan.Zero)
                {
                    await Task.Delay(Delay, Time, _disposed.Token);
                }

                if (Interlocked.Exchange(ref _pending, 0) == 0)
                {
                    break;
                }

                await OnChanged.InvokeAsync();
            }
        }
        catch (OperationCanceledException) when (_disposed.IsCancellationRequested)
        {
            return;
        }
        catch (Exception e)
        {
            // A failed refresh must not take the circuit down; the next change tries again.
            LogRefreshFailed(Logger, e);
        }
        finally
        {
            Volatile.Write(ref _running, 0);
        }

        // A change that arrived after the last check and before _running was cleared.
        if (Volatile.Read(ref _pending) == 1 && !_disposed.IsCancellationRequested && Interlocked.CompareExchange(ref _running, 1, 0) == 0)
        {
            _ = InvokeAsync(DrainAsync);
        }
    }

    public void Dispose()
    {
        _subscription?.Dispose();
        _disposed.Cancel();
        _disposed.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refreshing a page after a workspace change failed")]
    private static partial void LogRefreshFailed(ILogger logger, Exception exception);
}
