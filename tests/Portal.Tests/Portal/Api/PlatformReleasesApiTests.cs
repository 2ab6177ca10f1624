using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Portal.Tests.TestInfrastructure;
using static Portal.Tests.TestInfrastructure.ApiTestExtensions;
using static Portal.Tests.TestInfrastructure.PortalApiFactory;

namespace Portal.Tests.Portal.Api;

/// <summary>
/// Releases made, retired and fed through the API (issue 15, point 5): a release of any loaded template, refused
/// when it exists or names no template, and an artifact checked against what its template reads.
/// </summary>
public abstract class PlatformReleasesApiTests(PortalApiFactory portal)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task APlatformAdmin_CreatesARelease_ThenPublishesItsManifest_AndItCanBeRequested()
    {
        using var ops = await portal.LoginAsync(PlatformOps);
        var name = Unique("billing");

        using var created = await ops.PostAsJsonAsync("/api/v1/platform/releases",
            new { name, version = "3.1.0", template = "app", default_cpu = 2, default_memory_gb = 4, description = "Billing, third edition", source = "registry.example/billing:3.1.0" }, Ct);

        var release = await created.ShouldBeJsonAsync(HttpStatusCode.Created);
        release.ShouldBeSnakeCase();
        release.Str("id").ShouldBe($"{name}@3.1.0");
        release.Str("template").ShouldBe("app");
        release.GetProperty("available").GetBoolean().ShouldBeFalse();
        release.Str("description").ShouldBe("Billing, third edition");
        release.Str("source").ShouldBe("registry.example/billing:3.1.0");
        release.GetProperty("retired").GetBoolean().ShouldBeFalse();
        created.Headers.Location!.ToString().ShouldEndWith($"/api/v1/platform/releases/{name}@3.1.0");
        using (var fetched = await ops.GetAsync(created.Headers.Location, Ct))
        {
            (await fetched.ShouldBeJsonAsync(HttpStatusCode.OK)).Str("id").ShouldBe($"{name}@3.1.0");
        }

        using var published = await ops.SendAsync(Artifact($"{name}@3.1.0", """{"schema": [], "services": ["auth"], "becomes_ready": true}"""), Ct);
        (await published.ShouldBeJsonAsync(HttpStatusCode.OK)).GetProperty("available").GetBoolean().ShouldBeTrue();

        using var member = await portal.LoginAsync(AcmeMember);
        using var workspace = await member.PostAsJsonAsync("/api/v1/workspaces", new { name = Unique("bill"), release_id = $"{name}@3.1.0" }, Ct);
        var id = (await workspace.ShouldBeJsonAsync(HttpStatusCode.Accepted)).GetProperty("workspace_id").GetGuid();
        (await WaitForStatusAsync(member, id, "ready")).Str("release_id").ShouldBe($"{name}@3.1.0");
    }

    [Fact]
    public async Task AnArtifactItsTemplateCannotRead_Is422_AndNothingIsStored()
    {
        using var ops = await portal.LoginAsync(PlatformOps);
        var name = Unique("broken");
        await CreateAsync(ops, name, "1.0.0", "app");

        using var published = await ops.SendAsync(Artifact($"{name}@1.0.0", "this is not a manifest"), Ct);

        var problem = await published.ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity, "invalid_artifact");
        problem.Str("detail").ShouldStartWith($"Release {name}@1.0.0 provisions with template 'app', which reads a release manifest; this is not one:");
        using var after = await ops.GetAsync($"/api/v1/platform/releases/{name}@1.0.0", Ct);
        (await after.ShouldBeJsonAsync(HttpStatusCode.OK)).GetProperty("available").GetBoolean().ShouldBeFalse();
    }

    [Fact]
    public async Task ATemplateThatReadsNoManifest_TakesAnyArtifact()
    {
        using var ops = await portal.LoginAsync(PlatformOps);
        var name = Unique("vm-image");
        await CreateAsync(ops, name, "2.0", "vm");

        using var published = await ops.SendAsync(Artifact($"{name}@2.0", "an opaque image reference"), Ct);

        (await published.ShouldBeJsonAsync(HttpStatusCode.OK)).GetProperty("available").GetBoolean().ShouldBeTrue();
    }

    [Fact]
    public async Task ARetiredRelease_IsHiddenFromRequests_AndRefused_ButListedForPlatformAdmins()
    {
        using var ops = await portal.LoginAsync(PlatformOps);
        var name = Unique("old");
        await CreateAsync(ops, name, "0.9.0", "vm");

        using var retired = await ops.PostAsync($"/api/v1/platform/releases/{name}@0.9.0/retire", null, Ct);

        (await retired.ShouldBeJsonAsync(HttpStatusCode.OK)).GetProperty("retired").GetBoolean().ShouldBeTrue();
        using var member = await portal.LoginAsync(AcmeMember);
        using (var offered = await member.GetAsync("/api/v1/releases", Ct))
        {
            (await offered.ShouldBeJsonAsync(HttpStatusCode.OK)).EnumerateArray().ShouldNotContain(r => r.Str("id") == $"{name}@0.9.0");
        }

        using (var all = await ops.GetAsync("/api/v1/platform/releases", Ct))
        {
            (await all.ShouldBeJsonAsync(HttpStatusCode.OK)).EnumerateArray().Single(r => r.Str("id") == $"{name}@0.9.0").GetProperty("retired").GetBoolean().ShouldBeTrue();
        }

        using var refused = await member.PostAsJsonAsync("/api/v1/workspaces", new { name = Unique("late"), release_id = $"{name}@0.9.0" }, Ct);
        await refused.ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity, "release_retired");
    }

    [Fact]
    public async Task ADuplicate_Is409_AndAnUnknownTemplate_Is422()
    {
        using var ops = await portal.LoginAsync(PlatformOps);

        using var duplicate = await ops.PostAsJsonAsync("/api/v1/platform/releases", new { name = "demo-app", version = "1.0.0", template = "app", default_cpu = 1, default_memory_gb = 1 }, Ct);
        using var unknown = await ops.PostAsJsonAsync("/api/v1/platform/releases", new { name = Unique("x"), version = "1.0.0", template = "terraform", default_cpu = 1, default_memory_gb = 1 }, Ct);

        await duplicate.ShouldBeProblemAsync(HttpStatusCode.Conflict, "release_exists");
        await unknown.ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity, "unknown_template");
    }

    public static TheoryData<string, string> BadReleases => new()
    {
        { """{"version": "1.0.0", "template": "app", "default_cpu": 1, "default_memory_gb": 1}""", "name" },
        { """{"name": "Billing", "version": "1.0.0", "template": "app", "default_cpu": 1, "default_memory_gb": 1}""", "name" },
        { """{"name": "billing", "version": "1 0", "template": "app", "default_cpu": 1, "default_memory_gb": 1}""", "version" },
        { """{"name": "billing", "version": "1.0.0", "default_cpu": 1, "default_memory_gb": 1}""", "template" },
        { """{"name": "billing", "version": "1.0.0", "template": "app", "default_cpu": 0, "default_memory_gb": 1}""", "default_cpu" },
        { """{"name": "billing", "version": "1.0.0", "template": "app", "default_cpu": 1}""", "default_memory_gb" },
    };

    [Theory]
    [MemberData(nameof(BadReleases))]
    public async Task ABadRelease_Is400_NamingTheField_AndChangesNothing(string body, string field)
    {
        using var ops = await portal.LoginAsync(PlatformOps);
        var before = await CountAsync(ops);

        using var response = await ops.PostAsync("/api/v1/platform/releases", new StringContent(body, Encoding.UTF8, "application/json"), Ct);

        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest, null);
        problem.GetProperty("errors").TryGetProperty(field, out _).ShouldBeTrue(problem.GetRawText());
        (await CountAsync(ops)).ShouldBe(before);
    }

    [Theory]
    [InlineData(AcmeMember)]
    [InlineData(AcmeAdmin)]
    public async Task OthersThanPlatformAdmins_Get403(string email)
    {
        using var client = await portal.LoginAsync(email);

        using var response = await client.PostAsJsonAsync("/api/v1/platform/releases", new { name = "x", version = "1", template = "app", default_cpu = 1, default_memory_gb = 1 }, Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    private static async Task CreateAsync(HttpClient ops, string name, string version, string template)
    {
        using var created = await ops.PostAsJsonAsync("/api/v1/platform/releases", new { name, version, template, default_cpu = 1, default_memory_gb = 1 }, Ct);
        created.StatusCode.ShouldBe(HttpStatusCode.Created);
    }

    private static async Task<int> CountAsync(HttpClient ops)
    {
        using var all = await ops.GetAsync("/api/v1/platform/releases", Ct);
        return (await all.ShouldBeJsonAsync(HttpStatusCode.OK)).GetArrayLength();
    }

    private static HttpRequestMessage Artifact(string releaseId, string text)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(text));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        return new HttpRequestMessage(HttpMethod.Put, $"/api/v1/platform/releases/{releaseId}/artifact") { Content = content };
    }

    private static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 9)];
}

public sealed class PlatformReleasesApiTestsOnSqlite(PortalApiFactory portal) : PlatformReleasesApiTests(portal), IClassFixture<PortalApiFactory>;

public sealed class PlatformReleasesApiTestsOnPostgres(PostgresPortalApiFactory portal) : PlatformReleasesApiTests(portal), IClassFixture<PostgresPortalApiFactory>;
