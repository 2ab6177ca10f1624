using Microsoft.AspNetCore.Components;
using Provisioning.Core.Errors;

namespace Portal.Features.Platform;

/// <summary>
/// Adds a simulator fault: which step, which error (or latency only), how often, how likely, how slow, and
/// whether the step's execute or its compensation fails. Checked with the API's own rules before it is sent.
/// </summary>
public sealed partial class FaultForm
{
    /// <summary>The "no error" choice of the error select: a fault that only adds latency.</summary>
    internal const string LatencyOnly = "";

    private static readonly IReadOnlyList<string> Codes = ErrorCatalogue.All.Select(e => e.Code).Order(StringComparer.Ordinal).ToList();

    private readonly Model _model = new();
    private Dictionary<string, string[]> _errors = [];
    private bool _submitted;
    private bool _busy;

    /// <summary>Called with a valid request; the form stays busy until it completes.</summary>
    [Parameter]
    public EventCallback<FaultRequest> OnAdd { get; set; }

    private static string CodeLabel(string? code) => string.IsNullOrEmpty(code) ? "Latency only (no error)" : code;

    private bool Has(string field) => _errors.ContainsKey(field);

    private string? ErrorFor(string field) => _errors.TryGetValue(field, out var messages) ? string.Join(" ", messages) : null;

    // After a first submit, errors follow the fields as they are corrected.
    private void Change(Action set)
    {
        set();
        if (_submitted)
        {
            _errors = PlatformRules.CheckFault(_model.ToRequest(), out _);
        }
    }

    private async Task SubmitAsync()
    {
        if (_busy)
        {
            return;
        }

        _submitted = true;
        var request = _model.ToRequest();
        _errors = PlatformRules.CheckFault(request, out _);
        if (_errors.Count > 0)
        {
            return;
        }

        _busy = true;
        try
        {
            await OnAdd.InvokeAsync(request);
        }
        finally
        {
            _busy = false;
        }
    }

    private sealed class Model
    {
        public string? Step { get; set; }

        public string? Code { get; set; } = ErrorCatalogue.ServiceUnavailable;

        public int? Times { get; set; } = 1;

        public double? Probability { get; set; }

        public int? LatencyMs { get; set; }

        public string? On { get; set; } = "execute";

        public FaultRequest ToRequest() =>
            new(Step, string.IsNullOrEmpty(Code) ? null : Code, Times, Probability, LatencyMs, On);
    }
}
