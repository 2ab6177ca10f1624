using System.Globalization;
using Microsoft.AspNetCore.Components;
using MudBlazor;
using Provisioning.Core.Workspaces;

namespace Portal.Features.Workspaces;

/// <summary>
/// The plan's steps with their state, duration and automatic retries. While a step waits to be retried it
/// counts down ("Retrying in 8 s (attempt 2/5)"), with a one-second timer from <see cref="TimeProvider"/>
/// that runs only while some retry is pending.
/// </summary>
public sealed partial class WorkspaceStepper : IDisposable
{
    private static readonly TimeSpan Tick = TimeSpan.FromSeconds(1);

    private readonly Lock _timerLock = new();
    private ITimer? _timer;
    private bool _disposed;

    [Inject]
    private TimeProvider Time { get; set; } = default!;

    [Parameter, EditorRequired]
    public IReadOnlyList<StepView> Steps { get; set; } = [];

    /// <summary>Tries a step gets in all (<c>StepRetryPolicy.MaxAttempts</c>); null leaves out the "/N".</summary>
    [Parameter]
    public Func<string, int>? MaxAttempts { get; set; }

    /// <summary>The workspace the steps are of: with it, steps that keep a log (command and HTTP steps) can show it.</summary>
    [Parameter]
    public Guid? WorkspaceId { get; set; }

    // The steps whose log is open; a closed log keeps nothing in the circuit.
    private readonly HashSet<string> _openLogs = new(StringComparer.Ordinal);

    private void ToggleLog(string step)
    {
        if (!_openLogs.Remove(step))
        {
            _openLogs.Add(step);
        }
    }

    /// <summary>Whether the countdown timer is running (for tests).</summary>
    internal bool IsTicking
    {
        get
        {
            lock (_timerLock)
            {
                return _timer is not null;
            }
        }
    }

    protected override void OnParametersSet() => UpdateTimer();

    internal static string IconFor(StepStatus status) => status switch
    {
        StepStatus.Success => Icons.Material.Filled.CheckCircle,
        StepStatus.Failed => Icons.Material.Filled.Cancel,
        StepStatus.Skipped => Icons.Material.Filled.SkipNext,
        StepStatus.Running => Icons.Material.Filled.Autorenew,
        _ => Icons.Material.Outlined.Circle,
    };

    internal static Color ColorFor(StepStatus status) => status switch
    {
        StepStatus.Success => Color.Success,
        StepStatus.Failed => Color.Error,
        StepStatus.Running => Color.Info,
        _ => Color.Default,
    };

    private static string? Duration(StepView step) =>
        step is { StartedAt: { } started, CompletedAt: { } completed } ? WorkspaceText.Duration(completed - started) : null;

    private static string RetriesText(StepView step) =>
        step.RetryCount == 1 ? "1 automatic retry" : string.Create(CultureInfo.InvariantCulture, $"{step.RetryCount} automatic retries");

    private string? Countdown(StepView step)
    {
        if (step is not { Status: StepStatus.Running, NextRetryAt: { } next })
        {
            return null;
        }

        var upcoming = step.RetryCount + 1;
        var tryText = MaxAttempts is { } max ? string.Create(CultureInfo.InvariantCulture, $"try {upcoming} of {max(step.Name)}") : string.Create(CultureInfo.InvariantCulture, $"try {upcoming}");
        var seconds = WorkspaceText.SecondsUntil(next, Time.GetUtcNow());
        return seconds > 0
            ? string.Create(CultureInfo.InvariantCulture, $"Next try in {seconds} s ({tryText})")
            : $"Trying again now ({tryText})";
    }

    private bool HasPendingRetry()
    {
        var now = Time.GetUtcNow();
        return Steps.Any(s => s is { Status: StepStatus.Running, NextRetryAt: { } next } && next > now);
    }

    private void UpdateTimer()
    {
        lock (_timerLock)
        {
            var pending = !_disposed && HasPendingRetry();
            if (pending && _timer is null)
            {
                _timer = Time.CreateTimer(_ => _ = InvokeAsync(OnTick), null, Tick, Tick);
            }
            else if (!pending && _timer is not null)
            {
                _timer.Dispose();
                _timer = null;
            }
        }
    }

    private void OnTick()
    {
        // One more render after the last second, so "Retrying now" replaces "Retrying in 1 s".
        UpdateTimer();
        StateHasChanged();
    }

    public void Dispose()
    {
        lock (_timerLock)
        {
            _disposed = true;
            _timer?.Dispose();
            _timer = null;
        }
    }
}
