using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace Portal.Api;

/// <summary>
/// A request whose work was cancelled because the portal is stopping (a rolling deploy's SIGTERM) is answered 503
/// with <c>Retry-After</c>, not 500: nothing went wrong, and asking again — another node, or this one once it is
/// back — gets the answer. What the request had committed stays committed (a create repeated with its
/// <c>Idempotency-Key</c> answers with the same workspace).
/// </summary>
public sealed class ShuttingDown(IProblemDetailsService problems, IHostApplicationLifetime lifetime) : IExceptionHandler
{
    private const int RetryAfterSeconds = 5;

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not OperationCanceledException || !lifetime.ApplicationStopping.IsCancellationRequested
            || !httpContext.Request.Path.StartsWithSegments("/api") || httpContext.Response.HasStarted)
        {
            return false;
        }

        httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        httpContext.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var problem = new ProblemDetails
        {
            Status = StatusCodes.Status503ServiceUnavailable,
            Title = "Service unavailable",
            Detail = "The portal is restarting. Try again in a few seconds.",
        };
        problem.Extensions["code"] = "shutting_down";
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = problem, Exception = exception });
    }
}
