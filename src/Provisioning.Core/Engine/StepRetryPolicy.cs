using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;
using Polly.Timeout;
using Provisioning.Core.Errors;

namespace Provisioning.Core.Engine;

/// <summary>A transient failure the pipeline is about to retry, and when.</summary>
public readonly record struct ScheduledRetry(ProvisioningError Error, int RetryNumber, TimeSpan Delay);

/// <summary>
/// The Polly pipeline every step runs in: only transient catalogue errors (and timed-out tries) are retried,
/// with exponential backoff from <c>Provisioning:Retry</c> (10 s, 20 s, 40 s, 80 s, capped at 120 s; 5 tries in
/// total), and each try has its own timeout. The one place the retry rule is written.
/// </summary>
/// <remarks>
/// One pipeline per step, built once: what differs between runs (retries already made before a restart, and
/// how to persist a retry) travels in the <see cref="ResilienceContext"/>, so a step costs no pipeline build.
/// </remarks>
public sealed class StepRetryPolicy(IOptions<ProvisioningOptions> options, TimeProvider time)
{
    private static readonly ResiliencePropertyKey<RunState> Run = new("provisioning.step-run");

    private readonly ConcurrentDictionary<(string Step, TimeSpan? Timeout), ResiliencePipeline> _pipelines = new();

    /// <summary>Delay before retry number <paramref name="retryNumber"/> (1-based): base × 2^(n−1), capped.</summary>
    public TimeSpan DelayBefore(string step, int retryNumber)
    {
        var settings = options.Value.RetryFor(step);
        var delay = settings.BaseDelay * Math.Pow(2, retryNumber - 1);
        return delay > settings.MaxDelay ? settings.MaxDelay : delay;
    }

    public int MaxAttempts(string step) => options.Value.RetryFor(step).MaxAttempts;

    /// <summary>Runs one step's work under its pipeline; throws what the last try threw.</summary>
    /// <param name="step">Step name (settings may differ per step).</param>
    /// <param name="timeout">The step's own timeout per try (its template's); null: <c>Provisioning:StepTimeout</c>.</param>
    /// <param name="retriesAlreadyMade">Retries persisted before a restart; they count against the budget.</param>
    /// <param name="onRetry">Persists and announces the retry before the pipeline waits for it.</param>
    /// <param name="work">The try; its token ends at the per-try timeout or when <paramref name="cancellationToken"/> does.</param>
    public async Task ExecuteAsync(
        string step, TimeSpan? timeout, int retriesAlreadyMade, Func<ScheduledRetry, ValueTask> onRetry, Func<CancellationToken, Task> work,
        CancellationToken cancellationToken)
    {
        var pipeline = _pipelines.GetOrAdd((step, timeout), Build);
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        try
        {
            context.Properties.Set(Run, new RunState(retriesAlreadyMade, onRetry));
            await pipeline.ExecuteAsync(static async (ctx, work) => await work(ctx.CancellationToken), context, work);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private ResiliencePipeline Build((string Step, TimeSpan? Timeout) key)
    {
        var step = key.Step;
        var maxAttempts = MaxAttempts(step);
        var builder = new ResiliencePipelineBuilder { Name = $"step:{step}", TimeProvider = time };
        if (maxAttempts > 1)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                // The budget is the run's: retries made before a restart count against it.
                ShouldHandle = args => ValueTask.FromResult(
                    args.Outcome.Exception is ProvisioningException { IsTransient: true } or TimeoutRejectedException
                    && RetryNumber(args.Context, args.AttemptNumber) < maxAttempts),
                MaxRetryAttempts = maxAttempts - 1,
                // The backoff, or longer when the other side asked for more (Retry-After).
                DelayGenerator = args =>
                {
                    var backoff = DelayBefore(step, RetryNumber(args.Context, args.AttemptNumber));
                    return ValueTask.FromResult<TimeSpan?>(args.Outcome.Exception is ProvisioningException { RetryAfter: { } asked } && asked > backoff ? asked : backoff);
                },
                OnRetry = args => args.Context.Properties.GetValue(Run, null!).OnRetry(new ScheduledRetry(
                    ProvisioningError.From(args.Outcome.Exception!),
                    RetryNumber(args.Context, args.AttemptNumber),
                    args.RetryDelay)),
            });
        }

        return builder.AddTimeout(key.Timeout ?? options.Value.StepTimeout).Build();
    }

    // Polly counts tries from 0 within this run; the retry about to happen is the run's next one overall.
    private static int RetryNumber(ResilienceContext context, int attemptNumber) =>
        context.Properties.GetValue(Run, null!).RetriesAlreadyMade + attemptNumber + 1;

    private sealed record RunState(int RetriesAlreadyMade, Func<ScheduledRetry, ValueTask> OnRetry);
}
