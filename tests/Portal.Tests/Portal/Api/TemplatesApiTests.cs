using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Portal.Tests.TestInfrastructure;
using Provisioning.Core.Releases;
using static Portal.Tests.TestInfrastructure.ApiTestExtensions;
using static Portal.Tests.TestInfrastructure.PortalApiFactory;

namespace Portal.Tests.Portal.Api;

/// <summary>
/// <c>GET /api/v1/platform/templates</c> lists what the portal loaded (issue 15, point 1), and a workspace of a
/// scripted release shows its steps' outputs, never the secret ones (point 2), on both providers.
/// </summary>
public abstract class TemplatesApiTests<TPortal> : IAsyncLifetime
    where TPortal : PortalApiFactory, new()
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("api-templates-");
    private readonly TPortal _portal = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync()
    {
        File.WriteAllText(Path.Combine(_folder.FullName, "scripted.yaml"), """
            name: scripted
            description: One command that says what it made.
            steps:
              - name: make_bucket
                timeout: 00:01:00
                run: echo "bucket=b-$PORTAL_WORKSPACE_ID" >> "$PORTAL_OUTPUT"; echo "key=k-1" >> "$PORTAL_SECRET_OUTPUT"; echo "made b-$PORTAL_WORKSPACE_ID with key k-1"
              - name: database
                uses: builtin/create_tenant_database
            """);
        _portal.Settings["Provisioning:Templates:Directory"] = _folder.FullName;
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _portal.DisposeAsync();
        _folder.Delete(recursive: true);
    }

    [Fact]
    public async Task PlatformAdmins_SeeEveryLoadedTemplate_WithItsSteps()
    {
        using var ops = await _portal.LoginAsync(PlatformOps);

        using var response = await ops.GetAsync("/api/v1/platform/templates", Ct);

        var templates = await response.ShouldBeJsonAsync(HttpStatusCode.OK);
        templates.ShouldBeSnakeCase();
        templates.EnumerateArray().Select(t => t.Str("name")).ShouldBe(["app", "vm", "scripted"]);
        var app = templates[0];
        app.Str("source").ShouldBe("builtin:app.yaml");
        templates.EnumerateArray().Select(t => string.Join(",", t.GetProperty("adapters").EnumerateArray().Select(a => a.GetString())))
            .ShouldBe(["simulator", "simulator", "command"]);
        app.GetProperty("steps").EnumerateArray().Select(s => (s.Str("name"), s.Str("kind"), s.Str("on_failure"))).ShouldContain(("create_tenant_database", "builtin", "retain"));
        var scripted = templates[2];
        scripted.Str("source").ShouldBe(Path.Combine(_folder.FullName, "scripted.yaml"));
        var steps = scripted.GetProperty("steps").EnumerateArray().ToList();
        steps[0].Str("kind").ShouldBe("command");
        steps[0].GetProperty("timeout_seconds").GetInt32().ShouldBe(60);
        steps[0].Str("run").ShouldStartWith("echo \"bucket=");
        steps[1].Str("uses").ShouldBe("builtin/create_tenant_database");
        steps[1].Str("on_failure").ShouldBe("retain");
    }

    [Theory]
    [InlineData(AcmeMember)]
    [InlineData(AcmeAdmin)]
    public async Task OthersThanPlatformAdmins_Get403(string email)
    {
        using var client = await _portal.LoginAsync(email);

        using var response = await client.GetAsync("/api/v1/platform/templates", Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task AWorkspaceOfAScriptedRelease_ShowsItsOutputs_ButNeverASecretOne()
    {
        using var member = await _portal.LoginAsync(AcmeMember);
        var id = await ReadyScriptedWorkspaceAsync(member);
        using var response = await member.GetAsync($"/api/v1/workspaces/{id}", Ct);
        var workspace = await response.ShouldBeJsonAsync(HttpStatusCode.OK);

        workspace.GetProperty("outputs").EnumerateArray().Select(o => (o.Str("key"), o.Str("value"), o.Str("step")))
            .ShouldBe([("bucket", $"b-{id}", "make_bucket")]);
        workspace.GetRawText().ShouldNotContain("k-1");
        workspace.GetProperty("steps").EnumerateArray().Select(s => (s.Str("name"), s.Str("kind"))).ShouldBe([("make_bucket", "command"), ("database", "builtin")]);
    }

    [Fact]
    public async Task AStepsLog_IsServedPageByPage_SecretsMasked()
    {
        using var member = await _portal.LoginAsync(AcmeMember);
        var id = await ReadyScriptedWorkspaceAsync(member);
        var logs = $"/api/v1/workspaces/{id}/steps/make_bucket/logs";

        using var all = await member.GetAsync(logs, Ct);

        var page = await all.ShouldBeJsonAsync(HttpStatusCode.OK);
        page.ShouldBeSnakeCase();
        page.Str("step").ShouldBe("make_bucket");
        page.GetProperty("attempt").GetInt32().ShouldBe(1);
        page.GetProperty("lines").EnumerateArray().Select(l => (l.GetProperty("number").GetInt32(), l.Str("phase"), l.Str("stream"), l.Str("line")))
            .ShouldBe([(1, "execute", "stdout", $"made b-{id} with key ***"), (2, "execute", "portal", "exit code 0")]);
        page.GetProperty("next_after").ValueKind.ShouldBe(JsonValueKind.Null);

        using var first = await member.GetAsync($"{logs}?limit=1", Ct);
        var firstPage = await first.ShouldBeJsonAsync(HttpStatusCode.OK);
        firstPage.GetProperty("lines").GetArrayLength().ShouldBe(1);
        firstPage.GetProperty("next_after").GetInt32().ShouldBe(1);
        using var second = await member.GetAsync($"{logs}?after=1&attempt=1", Ct);
        (await second.ShouldBeJsonAsync(HttpStatusCode.OK)).GetProperty("lines")[0].Str("stream").ShouldBe("portal");

        using var builtIn = await member.GetAsync($"/api/v1/workspaces/{id}/steps/database/logs", Ct);
        (await builtIn.ShouldBeJsonAsync(HttpStatusCode.OK)).GetProperty("lines").GetArrayLength().ShouldBe(0);
    }

    [Theory]
    [InlineData("?limit=0", "limit")]
    [InlineData("?limit=1001", "limit")]
    [InlineData("?attempt=0", "attempt")]
    [InlineData("?after=-1", "after")]
    public async Task BadLogPaging_Is400_NamingTheParameter(string query, string parameter)
    {
        using var member = await _portal.LoginAsync(AcmeMember);
        var id = await ReadyScriptedWorkspaceAsync(member);

        using var response = await member.GetAsync($"/api/v1/workspaces/{id}/steps/make_bucket/logs{query}", Ct);

        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest, null);
        problem.GetProperty("errors").TryGetProperty(parameter, out _).ShouldBeTrue();
    }

    [Fact]
    public async Task TheLogOfAStepThatIsNotThere_OrOfAnotherTenantsWorkspace_Is404()
    {
        using var member = await _portal.LoginAsync(AcmeMember);
        var id = await ReadyScriptedWorkspaceAsync(member);
        using var globex = await _portal.LoginAsync(GlobexMember);

        using var noStep = await member.GetAsync($"/api/v1/workspaces/{id}/steps/no_such_step/logs", Ct);
        using var otherTenant = await globex.GetAsync($"/api/v1/workspaces/{id}/steps/make_bucket/logs", Ct);

        noStep.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        otherTenant.StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    private async Task<Guid> ReadyScriptedWorkspaceAsync(HttpClient member)
    {
        await using (var db = await _portal.DbAsync())
        {
            db.Releases.Add(new Release("scripted", "1.0.0", "scripted", "scripted-1.0.0.tar.gz", new string('0', 64), 1, 1));
            await db.SaveChangesAsync(Ct);
        }

        using var created = await member.PostAsJsonAsync("/api/v1/workspaces", new { name = $"scripted-{Guid.NewGuid():N}"[..16], release_id = "scripted@1.0.0" }, Ct);
        var id = (await created.ShouldBeJsonAsync(HttpStatusCode.Accepted)).GetProperty("workspace_id").GetGuid();
        await WaitForStatusAsync(member, id, "ready");
        return id;
    }
}

public sealed class TemplatesApiTestsOnSqlite : TemplatesApiTests<PortalApiFactory>;

public sealed class TemplatesApiTestsOnPostgres : TemplatesApiTests<PostgresPortalApiFactory>;
