using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace Portal.Features.Platform;

/// <summary>The simulated cluster's capacity, used and free, and a form to resize it (the API's limits).</summary>
public sealed partial class CapacityPanel
{
    private int? _cpu;
    private int? _memoryGb;
    private bool _edited;
    private bool _busy;
    private Dictionary<string, string[]> _errors = [];

    /// <summary>Null while loading.</summary>
    [Parameter]
    public CapacityView? Capacity { get; set; }

    [Parameter]
    public EventCallback<CapacityRequest> OnSave { get; set; }

    protected override void OnParametersSet()
    {
        // Live refreshes update the bars; they do not overwrite what the admin is typing.
        if (!_edited && Capacity is not null)
        {
            _cpu = Capacity.Cpu;
            _memoryGb = Capacity.MemoryGb;
        }
    }

    internal static double Percent(int used, int total) => total <= 0 ? 0 : Math.Clamp(used * 100.0 / total, 0, 100);

    private static Color BarColor(int used, int total) => Percent(used, total) switch
    {
        >= 90 => Color.Error,
        >= 70 => Color.Warning,
        _ => Color.Success,
    };

    /// <summary>"16 free", or "4 over" when capacity was set below what is running (never a negative "free").</summary>
    private static string Free(int free, string unit) => free >= 0 ? $"{free}{unit} free" : $"{-free}{unit} over";

    private string? ErrorFor(string field) => _errors.TryGetValue(field, out var messages) ? string.Join(" ", messages) : null;

    private void Edit(Action set)
    {
        set();
        _edited = true;
        if (_errors.Count > 0)
        {
            _errors = PlatformRules.CheckCapacity(new CapacityRequest(_cpu, _memoryGb));
        }
    }

    private async Task SaveAsync()
    {
        if (_busy)
        {
            return;
        }

        var request = new CapacityRequest(_cpu, _memoryGb);
        _errors = PlatformRules.CheckCapacity(request);
        if (_errors.Count > 0)
        {
            return;
        }

        _busy = true;
        try
        {
            await OnSave.InvokeAsync(request);
            _edited = false;
        }
        finally
        {
            _busy = false;
        }
    }
}
