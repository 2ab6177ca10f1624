using Microsoft.AspNetCore.Components;

namespace Portal.Features.Admin;

/// <summary>
/// Retry for a workspace in error: goes into its loading state at once, cannot be pressed again until the
/// request is answered, and shows a refused retry's reason right under itself.
/// </summary>
public sealed partial class AdminRetryButton
{
    private bool _inFlight;

    [Parameter, EditorRequired]
    public string WorkspaceName { get; set; } = "";

    /// <summary>The parent's own record that a retry is running (it outlives this component's instance).</summary>
    [Parameter]
    public bool Busy { get; set; }

    /// <summary>Why the last retry was refused, in words; null when it was not.</summary>
    [Parameter]
    public string? Refusal { get; set; }

    [Parameter]
    public EventCallback OnRetry { get; set; }

    private bool IsBusy => Busy || _inFlight;

    private async Task RetryAsync()
    {
        if (IsBusy)
        {
            return;
        }

        _inFlight = true;
        try
        {
            await OnRetry.InvokeAsync();
        }
        finally
        {
            _inFlight = false;
        }
    }
}
