using System.ComponentModel.DataAnnotations;

namespace Provisioning.Core.Engine;

/// <summary><c>Provisioning:*</c> settings.</summary>
public sealed class ProvisioningOptions : IValidatableObject
{
    public const string Section = "Provisioning";

    /// <summary>Automatic retries of transient errors inside a step (DESIGN §4).</summary>
    public RetrySettings Retry { get; set; } = new();

    /// <summary>Per-step overrides of <see cref="Retry"/>, keyed by step name.</summary>
    public Dictionary<string, RetrySettings> StepRetry { get; set; } = new(StringComparer.Ordinal);

    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00", ErrorMessage = "Provisioning:ReadinessTimeout must be between 00:00:00 and 1.00:00:00.")]
    public TimeSpan ReadinessTimeout { get; set; } = TimeSpan.FromMinutes(3);

    /// <summary>Timeout of one try of a step; a try that exceeds it counts as a transient connection timeout.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00", ErrorMessage = "Provisioning:StepTimeout must be between 00:00:00.001 and 1.00:00:00.")]
    public TimeSpan StepTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Attempts the scheduler runs at once. Waiting attempts hold no thread, only a timer.</summary>
    [Range(1, 100_000, ErrorMessage = "Provisioning:MaxConcurrentAttempts must be between 1 and 100000.")]
    public int MaxConcurrentAttempts { get; set; } = 2000;

    /// <summary>How often the scheduler tries to carry on an attempt the engine itself failed on, before giving up on it.</summary>
    public ResumeSettings Resume { get; set; } = new();

    public RetrySettings RetryFor(string step) => StepRetry.TryGetValue(step, out var specific) ? specific : Retry;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Resume.MaxFailures is < 1 or > 100)
        {
            yield return new ValidationResult("Provisioning:Resume:MaxFailures must be between 1 and 100.");
        }

        if (Resume.Delay < TimeSpan.Zero || Resume.Delay > TimeSpan.FromHours(1))
        {
            yield return new ValidationResult("Provisioning:Resume:Delay must be between 00:00:00 and 01:00:00.");
        }

        var all = StepRetry.Select(kv => ($"Provisioning:StepRetry:{kv.Key}", kv.Value)).Prepend(("Provisioning:Retry", Retry));
        foreach (var (key, settings) in all)
        {
            if (settings.MaxAttempts is < 1 or > 100)
            {
                yield return new ValidationResult($"{key}:MaxAttempts must be between 1 and 100.");
            }

            if (settings.BaseDelay < TimeSpan.Zero || settings.BaseDelay > TimeSpan.FromHours(1))
            {
                yield return new ValidationResult($"{key}:BaseDelay must be between 00:00:00 and 01:00:00.");
            }

            if (settings.MaxDelay < settings.BaseDelay || settings.MaxDelay > TimeSpan.FromHours(1))
            {
                yield return new ValidationResult($"{key}:MaxDelay must be at least BaseDelay and at most 01:00:00.");
            }
        }
    }

    public sealed class RetrySettings
    {
        /// <summary>Tries in total, the first included.</summary>
        public int MaxAttempts { get; set; } = 5;

        public TimeSpan BaseDelay { get; set; } = TimeSpan.FromSeconds(10);

        public TimeSpan MaxDelay { get; set; } = TimeSpan.FromMinutes(2);
    }

    /// <summary>
    /// <c>Provisioning:Resume</c>: when running an attempt fails outside any step (the database unavailable, a state
    /// the engine does not accept), it is tried again after <see cref="Delay"/>, doubling each time up to two minutes;
    /// after <see cref="MaxFailures"/> failures in a row the workspace ends in error with <c>internal_error</c>.
    /// </summary>
    public sealed class ResumeSettings
    {
        public static readonly TimeSpan MaxDelay = TimeSpan.FromMinutes(2);

        public int MaxFailures { get; set; } = 5;

        public TimeSpan Delay { get; set; } = TimeSpan.FromSeconds(10);

        /// <summary>The wait after failure number <paramref name="failures"/> (1-based).</summary>
        public TimeSpan DelayAfter(int failures)
        {
            var delay = Delay * Math.Pow(2, Math.Min(failures - 1, 20));
            return delay > MaxDelay ? MaxDelay : delay;
        }
    }
}
