using System.Text.RegularExpressions;
using Provisioning.Core.Errors;
using Provisioning.Core.Simulator;
using Provisioning.Core.Steps;

namespace Portal.Features.Platform;

/// <summary>
/// What the platform endpoints and the platform admin pages accept: one set of rules for both, so a form
/// never lets through what the API would refuse. Errors are keyed by the API's field names.
/// </summary>
public static partial class PlatformRules
{
    public const int MaxCpu = 100_000;
    public const int MaxMemoryGb = 1_000_000;
    public const int MaxFaultTimes = 1_000_000;
    public const int MaxLatencyMs = 3_600_000;

    /// <summary>The steps a fault can target, in plan order (app, then the vm steps not already listed).</summary>
    public static IReadOnlyList<string> FaultSteps { get; } = StepNames.BuiltIn;

    public static string? CheckCpu(int? cpu) => cpu is >= 1 and <= MaxCpu ? null : "cpu must be between 1 and 100000.";

    public static string? CheckMemory(int? memoryGb) => memoryGb is >= 1 and <= MaxMemoryGb ? null : "memory_gb must be between 1 and 1000000.";

    public static Dictionary<string, string[]> CheckCapacity(CapacityRequest? body)
    {
        var errors = new Dictionary<string, string[]>();
        Add(errors, "cpu", CheckCpu(body?.Cpu));
        Add(errors, "memory_gb", CheckMemory(body?.MemoryGb));
        return errors;
    }

    /// <summary>Checks a fault request; with no errors, <paramref name="phase"/> is the phase it targets.</summary>
    public static Dictionary<string, string[]> CheckFault(FaultRequest? body, out FaultPhase phase)
    {
        var errors = new Dictionary<string, string[]>();
        if (body?.Step is null || !StepNames.BuiltIn.Contains(body.Step))
        {
            errors["step"] = [$"step must be one of: {string.Join(", ", StepNames.BuiltIn.Order())}."];
        }

        if (body?.Code is { } code && !ErrorCatalogue.IsKnown(code))
        {
            errors["code"] = ["code must be a code of the error catalogue."];
        }

        if (body?.Code is null && body?.LatencyMs is null or 0)
        {
            errors["code"] = ["Give a code, a latency_ms, or both."];
        }

        if (body?.Times is < 1 or > MaxFaultTimes)
        {
            errors["times"] = ["times must be between 1 and 1000000."];
        }

        if (body?.Probability is { } p && (double.IsNaN(p) || p is <= 0 or > 1))
        {
            errors["probability"] = ["probability must be greater than 0 and at most 1."];
        }

        if (body?.LatencyMs is < 0 or > MaxLatencyMs)
        {
            errors["latency_ms"] = ["latency_ms must be between 0 and 3600000."];
        }

        phase = FaultPhase.Execute;
        if (body?.On is { } on && !(on is "execute" or "compensate" && Enum.TryParse(on, ignoreCase: true, out phase)))
        {
            errors["on"] = ["on must be execute or compensate."];
        }

        return errors;
    }

    /// <summary>The fault a valid request (see <see cref="CheckFault"/>) describes.</summary>
    public static SimulatedFault ToFault(FaultRequest valid, FaultPhase phase, DateTimeOffset now) => new()
    {
        Step = valid.Step!,
        Code = valid.Code,
        Remaining = valid.Times,
        Probability = valid.Probability,
        LatencyMs = valid.LatencyMs ?? 0,
        On = phase,
        CreatedAt = now,
    };

    public static bool IsSha256(string value) => Sha256Hex().IsMatch(value);

    private static void Add(Dictionary<string, string[]> errors, string field, string? error)
    {
        if (error is not null)
        {
            errors[field] = [error];
        }
    }

    [GeneratedRegex("^[0-9a-fA-F]{64}$")]
    private static partial Regex Sha256Hex();
}
