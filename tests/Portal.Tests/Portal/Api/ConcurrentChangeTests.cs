using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Api;

namespace Portal.Tests.Portal.Api;

/// <summary>
/// A request that lost the race for a workspace's revision (another node or request saved it first) is told so with
/// 409 <c>workspace_changed</c>, through the portal's problem details; anything else is left to the other handlers.
/// </summary>
public sealed class ConcurrentChangeTests
{
    [Fact]
    public async Task ALostRaceOnTheApi_IsA409WorkspaceChanged_NotA500()
    {
        var (handler, context) = Build("/api/v1/workspaces/6b1c1c1e-0000-0000-0000-000000000001/retry");

        (await handler.TryHandleAsync(context, new DbUpdateConcurrencyException("changed since read"), CancellationToken.None)).ShouldBeTrue();

        context.Response.StatusCode.ShouldBe(StatusCodes.Status409Conflict);
        context.Response.ContentType.ShouldBe("application/problem+json");
        context.Response.Body.Position = 0;
        var problem = await JsonDocument.ParseAsync(context.Response.Body, cancellationToken: TestContext.Current.CancellationToken);
        problem.RootElement.GetProperty("code").GetString().ShouldBe("workspace_changed");
        problem.RootElement.GetProperty("status").GetInt32().ShouldBe(409);
        problem.RootElement.GetProperty("detail").GetString()!.ShouldContain("Reload the workspace and try again");
    }

    [Fact]
    public async Task OtherFailures_AndPagesOutsideTheApi_AreLeftToTheOtherHandlers()
    {
        var (handler, api) = Build("/api/v1/workspaces");
        (await handler.TryHandleAsync(api, new DbUpdateException("unique index"), CancellationToken.None)).ShouldBeFalse();

        var (_, page) = Build("/workspaces/6b1c1c1e-0000-0000-0000-000000000001");
        (await handler.TryHandleAsync(page, new DbUpdateConcurrencyException("changed since read"), CancellationToken.None)).ShouldBeFalse();
    }

    private static (ConcurrentChange Handler, HttpContext Context) Build(string path)
    {
        var services = new ServiceCollection().AddLogging().AddProblemDetails().BuildServiceProvider();
        var context = new DefaultHttpContext { RequestServices = services };
        context.Request.Path = path;
        context.Request.Headers.Accept = "application/json";
        context.Response.Body = new MemoryStream();
        return (new ConcurrentChange(services.GetRequiredService<IProblemDetailsService>()), context);
    }
}
