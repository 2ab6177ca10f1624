using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Portal.Api;

/// <summary>
/// A request that lost a race for a workspace (another request, or the engine on some node, saved it between this
/// request's read and its write, see <c>Workspace.Revision</c>) is answered 409 <c>workspace_changed</c>, not 500:
/// nothing of it was written, and asking again decides on what the workspace holds now.
/// </summary>
public sealed class ConcurrentChange(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not DbUpdateConcurrencyException || !httpContext.Request.Path.StartsWithSegments("/api") || httpContext.Response.HasStarted)
        {
            return false;
        }

        httpContext.Response.StatusCode = StatusCodes.Status409Conflict;
        var problem = new ProblemDetails
        {
            Status = StatusCodes.Status409Conflict,
            Title = "Conflict",
            Detail = "The workspace changed while your request was being handled, and nothing was changed by it. Reload the workspace and try again.",
        };
        problem.Extensions["code"] = "workspace_changed";
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = problem, Exception = exception });
    }
}
