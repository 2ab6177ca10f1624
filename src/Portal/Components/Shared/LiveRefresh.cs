using Provisioning.Core.Workspaces;

namespace Portal.Components.Shared;

/// <summary>
/// A page's subscription to committed workspace events (<see cref="IWorkspaceUpdates"/>): each relevant change
/// makes the page reload what it shows, on the circuit's dispatcher. Changes that arrive while a reload runs (or
/// while it waits out its delay) are coalesced into one more reload, so a burst of step events costs a page two
/// reloads, not one per event.
/// </summary>
/// <remarks>
/// Handlers are called on the engine's thread right after its commit: they only set a flag and hand the reload
/// to the thread pool, so a page never slows the engine down. Pages subscribe in code; markup that only needs
/// "reload on any change" uses <see cref="WorkspaceChangesListener"/>, which wraps this.
/// </remarks>
public sealed partial class LiveRefresh : IDisposable
{
    private readonly Func<WorkspaceChanged, bool> _relevant;
    private readonly Func<Func<Task>, Task> _dispatch;
    private readonly Func<Task> _refresh;
    private readonly ILogger _logger;
    private readonly TimeSpan _delay;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _disposed = new();
    private readonly IDisposable _subscription;
    private int _pending;
    private int _running;

    private LiveRefresh(
        IWorkspaceUpdates updates, string? tenantId, Func<WorkspaceChanged, bool> relevant,
        Func<Func<Task>, Task> dispatch, Func<Task> refresh, ILogger logger, TimeSpan delay, TimeProvider time)
    {
        _relevant = relevant;
        _dispatch = dispatch;
        _refresh = refresh;
        _logger = logger;
        _delay = delay;
        _time = time;
        _subscription = updates.Subscribe(tenantId, Changed);
    }

    /// <param name="updates">The live-update source.</param>
    /// <param name="tenantId">Only this tenant's changes are delivered; null delivers every tenant's (platform pages).</param>
    /// <param name="relevant">Which changes concern the page.</param>
    /// <param name="dispatch">The component's <c>InvokeAsync</c>: runs the reload on its dispatcher.</param>
    /// <param name="refresh">Reloads and re-renders the page.</param>
    /// <param name="logger">Where a failed reload is reported; the next change tries again.</param>
    /// <param name="delay">How long to wait after a change before reloading, so a burst becomes one reload; none by default.</param>
    /// <param name="time">The clock the delay runs on.</param>
    public static LiveRefresh Subscribe(
        IWorkspaceUpdates updates, string? tenantId, Func<WorkspaceChanged, bool> relevant,
        Func<Func<Task>, Task> dispatch, Func<Task> refresh, ILogger logger, TimeSpan delay = default, TimeProvider? time = null) =>
        new(updates, tenantId, relevant, dispatch, refresh, logger, delay, time ?? TimeProvider.System);

    private void Changed(WorkspaceChanged change)
    {
        if (_disposed.IsCancellationRequested || !_relevant(change))
        {
            return;
        }

        Volatile.Write(ref _pending, 1);
        StartDraining();
    }

    private void StartDraining()
    {
        if (Interlocked.CompareExchange(ref _running, 1, 0) == 0)
        {
            _ = Task.Run(DrainAsync);
        }
    }

    private async Task DrainAsync()
    {
        try
        {
            while (!_disposed.IsCancellationRequested)
            {
                if (_delay > TimeSpan.Zero)
                {
                    await Task.Delay(_delay, _time, _disposed.Token);
                }

                if (Interlocked.Exchange(ref _pending, 0) == 0)
                {
                    break;
                }

                await _dispatch(_refresh);
            }
        }
        catch (Exception e) when (!_disposed.IsCancellationRequested)
        {
            LogRefreshFailed(_logger, e);
        }
        catch (Exception)
        {
            // The page went away while it reloaded: nothing to report.
        }
        finally
        {
            Volatile.Write(ref _running, 0);
        }

        // A change that arrived between the last check and the end of the loop.
        if (Volatile.Read(ref _pending) == 1 && !_disposed.IsCancellationRequested)
        {
            StartDraining();
        }
    }

    public void Dispose()
    {
        if (_disposed.IsCancellationRequested)
        {
            return;
        }

        _subscription.Dispose();
        _disposed.Cancel();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reloading a page after a workspace change failed")]
    private static partial void LogRefreshFailed(ILogger logger, Exception exception);
}
