using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Portal.Tests.TestInfrastructure;
using Provisioning.Core.Errors;
using Provisioning.Core.Persistence;
using Provisioning.Core.Workspaces;

namespace Portal.Tests.Core.Templates;

/// <summary>
/// A template's HTTP steps (issue 15, point 3) against a real HTTP server on 127.0.0.1 that answers as a registry
/// would: busy first (503 with Retry-After), then 201; an accepted job that is done later; a refusal with a code.
/// </summary>
public abstract class HttpStepTests(DatabaseProvider provider) : IAsyncDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("http-template-");
    private readonly ConcurrentQueue<(string Method, string Path, IHeaderDictionary Headers, string Body)> _requests = new();
    private readonly ConcurrentDictionary<string, int> _calls = new();
    private WebApplication? _registry;

    public async ValueTask DisposeAsync()
    {
        if (_registry is not null)
        {
            await _registry.DisposeAsync();
        }

        _folder.Delete(recursive: true);
    }

    [Fact]
    public async Task ARegistryThatIsBusyFirst_IsTriedAgainAfterItsRetryAfter_AndItsAnswerBecomesOutputs()
    {
        var registry = await StartRegistryAsync();
        await using var harness = await StartAsync(registry, """
              - name: register
                http:
                  method: POST
                  url: "${REGISTRY}/register/${PORTAL_WORKSPACE_ID}"
                  headers: { Authorization: "Bearer ${secret:REGISTRY_TOKEN}" }
                  body: '{"name": "${PORTAL_WORKSPACE_NAME}", "cpu": ${PORTAL_CPU}}'
                  outputs: [registration_id, shards]
            """);
        var workspace = await harness.CreateAsync("web@1.0.0", name: "web");

        var waits = await harness.RunAsync(workspace.Id);

        (await harness.LoadAsync(workspace.Id)).Status.ShouldBe(WorkspaceStatus.Ready);
        // The backoff's 10 s, stretched to the 30 s the registry asked for.
        waits.ShouldBe([TimeSpan.FromSeconds(30)]);
        var tries = _requests.Where(r => r.Path.StartsWith("/register/", StringComparison.Ordinal)).ToList();
        tries.Count.ShouldBe(2);
        tries.Select(r => r.Path).Distinct().ShouldBe([$"/register/{workspace.Id}"]);
        tries.Select(r => r.Headers["Idempotency-Key"].ToString()).Distinct().ShouldBe([$"ws-{workspace.Id:N}-register"]);
        tries.ShouldAllBe(r => r.Headers.Authorization.ToString() == "Bearer t0ken-from-configuration");
        tries.ShouldAllBe(r => System.Text.RegularExpressions.Regex.IsMatch(r.Headers["traceparent"].ToString(), "^00-[0-9a-f]{32}-[0-9a-f]{16}-01$"));
        tries[0].Body.ShouldBe($$"""{"name": "{{workspace.Name}}", "cpu": 1}""");
        await using var db = await harness.DbAsync();
        (await db.Outputs.Where(o => o.WorkspaceId == workspace.Id).OrderBy(o => o.Key).Select(o => new { o.Key, o.Value, o.Secret }).ToListAsync(TestContext.Current.CancellationToken))
            .ShouldBe([new { Key = "registration_id", Value = "r-42", Secret = false }, new { Key = "shards", Value = "3", Secret = false }]);
        var logged = await db.StepLogLines.Where(l => l.WorkspaceId == workspace.Id).OrderBy(l => l.Id).ToListAsync(TestContext.Current.CancellationToken);
        logged.ShouldAllBe(l => l.Step == "register" && l.Stream == "http");
        logged[0].Line.ShouldStartWith($"POST {registry}/register/{workspace.Id} → 503 Service Unavailable in ");
        logged[1].Line.ShouldStartWith($"POST {registry}/register/{workspace.Id} → 201 Created in ");
        logged.ShouldNotContain(l => l.Line.Contains("t0ken-from-configuration"));
    }

    [Fact]
    public async Task AnAcceptedRequest_IsPolledAtItsLocation_UntilItIsDone()
    {
        var registry = await StartRegistryAsync();
        await using var harness = await StartAsync(registry, """
              - name: provision_dns
                http: { method: PUT, url: "${REGISTRY}/jobs", outputs: [record] }
            """);
        var workspace = await harness.CreateAsync("web@1.0.0", name: "web");

        await harness.RunAsync(workspace.Id);

        (await harness.LoadAsync(workspace.Id)).Status.ShouldBe(WorkspaceStatus.Ready);
        _requests.Select(r => $"{r.Method} {r.Path}").ShouldBe(["PUT /jobs", "GET /jobs/7", "GET /jobs/7"]);
        await using var db = await harness.DbAsync();
        (await db.Outputs.SingleAsync(o => o.WorkspaceId == workspace.Id, TestContext.Current.CancellationToken)).Value.ShouldBe("web.example.test");
    }

    [Fact]
    public async Task AProblemWithACatalogueCode_FailsTheStepWithThatCode_AtOnce()
    {
        var registry = await StartRegistryAsync();
        await using var harness = await StartAsync(registry, """
              - name: reserve
                http: { method: POST, url: "${REGISTRY}/full" }
            """);
        var workspace = await harness.CreateAsync("web@1.0.0", name: "web");

        var waits = await harness.RunAsync(workspace.Id);

        var failed = await harness.LoadAsync(workspace.Id);
        failed.Status.ShouldBe(WorkspaceStatus.Error);
        failed.ErrorCode.ShouldBe(ErrorCatalogue.InsufficientResources);
        failed.ErrorTechnicalDetail.ShouldBe($"POST {registry}/full answered 422 Unprocessable Entity: The pool has 0 addresses left.");
        waits.ShouldBeEmpty();
    }

    [Fact]
    public async Task ARegistryThatIsNotThere_IsATransientFailure()
    {
        var nobody = $"http://127.0.0.1:{FreePort()}";
        await using var harness = await StartAsync(nobody, """
              - name: reserve
                http: { method: POST, url: "${REGISTRY}/reserve" }
            """, new() { ["Provisioning:Retry:MaxAttempts"] = "2" });
        var workspace = await harness.CreateAsync("web@1.0.0", name: "web");

        var waits = await harness.RunAsync(workspace.Id);

        var failed = await harness.LoadAsync(workspace.Id);
        failed.ErrorCode.ShouldBe(ErrorCatalogue.ServiceUnavailable);
        failed.ErrorTechnicalDetail.ShouldStartWith($"POST {nobody}/reserve could not be reached");
        waits.ShouldBe([TimeSpan.FromSeconds(10)]);
    }

    /// <summary>The template (its url's <c>${REGISTRY}</c> replaced by <paramref name="registry"/>) and a release of it.</summary>
    private async Task<ProvisioningHarness> StartAsync(string registry, string steps, Dictionary<string, string?>? settings = null)
    {
        File.WriteAllText(Path.Combine(_folder.FullName, "web.yaml"), $"name: web\nsteps:\n{steps.Replace("${REGISTRY}", registry, StringComparison.Ordinal)}");
        settings ??= [];
        settings["Provisioning:Templates:Directory"] = _folder.FullName;
        settings["Provisioning:Secrets:REGISTRY_TOKEN"] = "t0ken-from-configuration";
        var harness = await ProvisioningHarness.StartAsync(settings, provider);
        await harness.AddReleaseAsync("web", template: "web");
        return harness;
    }

    private async Task<string> StartRegistryAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.Use(async (context, next) =>
        {
            context.Request.EnableBuffering();
            var body = await new StreamReader(context.Request.Body).ReadToEndAsync(context.RequestAborted);
            _requests.Enqueue((context.Request.Method, context.Request.Path.Value!, new HeaderDictionary(context.Request.Headers.ToDictionary()), body));
            await next(context);
        });
        app.MapPost("/register/{id}", (HttpContext context) =>
        {
            if (_calls.AddOrUpdate("register", 1, (_, n) => n + 1) == 1)
            {
                context.Response.Headers.RetryAfter = "30";
                return Results.StatusCode(StatusCodes.Status503ServiceUnavailable);
            }

            return Results.Json(new { registration_id = "r-42", shards = 3 }, statusCode: StatusCodes.Status201Created);
        });
        app.MapPut("/jobs", (HttpContext context) =>
        {
            context.Response.Headers.RetryAfter = "1";
            return Results.Accepted("/jobs/7");
        });
        app.MapGet("/jobs/7", (HttpContext context) =>
        {
            if (_calls.AddOrUpdate("job", 1, (_, n) => n + 1) == 1)
            {
                context.Response.Headers.RetryAfter = "1";
                return Results.Accepted("/jobs/7");
            }

            return Results.Ok(new { record = "web.example.test" });
        });
        app.MapPost("/full", () => Results.Problem(statusCode: 422, title: "Out of addresses", detail: "The pool has 0 addresses left.",
            extensions: new Dictionary<string, object?> { ["code"] = "insufficient_resources" }));
        await app.StartAsync(TestContext.Current.CancellationToken);
        _registry = app;
        return app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}

public sealed class HttpStepTestsOnSqlite() : HttpStepTests(DatabaseProvider.Sqlite);

public sealed class HttpStepTestsOnPostgres() : HttpStepTests(DatabaseProvider.Postgres);
