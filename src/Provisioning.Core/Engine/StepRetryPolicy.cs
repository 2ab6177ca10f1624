using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;
using Polly.Timeout;
using Provisioning.Core.Errors;

namespace Provisioning.Core.Engine;

/// <summary>A transient failure the pipeline is about to retry, and when.</summary>
public readonly record struct ScheduledRetry(ProvisioningError Error, int RetryNumber, TimeSpan Delay);

/// <summary>
/// Builds the Polly pipeline every step runs in: only transient catalogue errors (and timed-out tries)
/// are retried, with exponential backoff from <c>Provisioning:Retry</c> (10 s, 20 s, 40 s, 80 s, capped at
/// 120 s; 5 tries in total), and each try has its own timeout. The one place the retry rule is written.
/// </summary>
public sealed class StepRetryPolicy(IOptions<ProvisioningOptions> options, TimeProvider time)
{
    /// <summary>Delay before retry number <paramref name="retryNumber"/> (1-based): base × 2^(n−1), capped.</summary>
    public TimeSpan DelayBefore(string step, int retryNumber)
    {
        var settings = options.Value.RetryFor(step);
        var delay = settings.BaseDelay * Math.Pow(2, retryNumber - 1);
        return delay > settings.MaxDelay ? settings.MaxDelay : delay;
    }

    public int MaxAttempts(string step) => options.Value.RetryFor(step).MaxAttempts;

    /// <param name="step">Step name (settings may differ per step).</param>
    /// <param name="retriesAlreadyMade">Retries persisted before a restart; they count against the budget.</param>
    /// <param name="onRetry">Persists and announces the retry before the pipeline waits for it.</param>
    public ResiliencePipeline Create(string step, int retriesAlreadyMade, Func<ScheduledRetry, ValueTask> onRetry)
    {
        var remaining = MaxAttempts(step) - 1 - retriesAlreadyMade;
        var builder = new ResiliencePipelineBuilder { Name = $"step:{step}", TimeProvider = time };
        if (remaining > 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder()
                    .Handle<ProvisioningException>(e => e.IsTransient)
                    .Handle<TimeoutRejectedException>(),
                MaxRetryAttempts = remaining,
                DelayGenerator = args =>
                    ValueTask.FromResult<TimeSpan?>(DelayBefore(step, retriesAlreadyMade + args.AttemptNumber + 1)),
                OnRetry = args => onRetry(new ScheduledRetry(
                    ProvisioningError.From(args.Outcome.Exception!),
                    retriesAlreadyMade + args.AttemptNumber + 1,
                    args.RetryDelay)),
            });
        }

        return builder.AddTimeout(options.Value.StepTimeout).Build();
    }
}
