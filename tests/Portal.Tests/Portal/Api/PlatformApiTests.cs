using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Portal.Tests.TestInfrastructure;
using static Portal.Tests.TestInfrastructure.ApiTestExtensions;
using static Portal.Tests.TestInfrastructure.PortalApiFactory;

namespace Portal.Tests.Portal.Api;

/// <summary>
/// The platform admin's rows of DESIGN §6: release artifacts, simulator capacity, faults and inventory, and
/// orphaned resources. Faults are global to the simulator, so every test that adds one clears them again
/// before it ends (the tests of one class never run at the same time).
/// </summary>
public abstract class PlatformApiTests(PortalApiFactory portal)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Artifact_Publish_WithMatchingChecksum_Returns200Available_ThenRemove_Returns204Unavailable()
    {
        using var ops = await portal.LoginAsync(PlatformOps);
        var bytes = await DemoArtifactAsync("demo-app-1.0.0.json");
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(bytes));

        using var published = await ops.SendAsync(PublishRequest("demo-app@2.0.0", bytes, sha256.ToUpperInvariant()), Ct);

        var release = await published.ShouldBeJsonAsync(HttpStatusCode.OK);
        release.ShouldBeSnakeCase();
        release.Str("id").ShouldBe("demo-app@2.0.0");
        release.GetProperty("available").GetBoolean().ShouldBeTrue();
        release.Str("sha256").ShouldBe(sha256);
        (await ReleaseAsync(ops, "demo-app@2.0.0")).GetProperty("available").GetBoolean().ShouldBeTrue();

        using var removed = await ops.DeleteAsync("/api/v1/platform/releases/demo-app@2.0.0/artifact", Ct);

        removed.StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await ReleaseAsync(ops, "demo-app@2.0.0")).GetProperty("available").GetBoolean().ShouldBeFalse();
    }

    [Fact]
    public async Task Artifact_Publish_WithoutChecksum_RecordsTheChecksumOfTheBytes()
    {
        using var ops = await portal.LoginAsync(PlatformOps);
        // demo-app 1.1.0 ships with a checksum its artifact does not have; republishing the bytes fixes it.
        (await ReleaseAsync(ops, "demo-app@1.1.0")).GetProperty("available").GetBoolean().ShouldBeFalse();
        var bytes = await DemoArtifactAsync("demo-app-1.1.0.json");

        using var published = await ops.SendAsync(PublishRequest("demo-app@1.1.0", bytes, checksum: null), Ct);

        var release = await published.ShouldBeJsonAsync(HttpStatusCode.OK);
        release.GetProperty("available").GetBoolean().ShouldBeTrue();
        release.Str("sha256").ShouldBe(Convert.ToHexStringLower(SHA256.HashData(bytes)));
    }

    [Fact]
    public async Task Artifact_Publish_WithWrongChecksum_Returns422_AndChangesNothing()
    {
        using var ops = await portal.LoginAsync(PlatformOps);
        var before = await ReleaseAsync(ops, "demo-app@1.0.0");
        var bytes = Encoding.UTF8.GetBytes("""{"schema":[],"services":[],"becomes_ready":true}""");

        using var response = await ops.SendAsync(PublishRequest("demo-app@1.0.0", bytes, new string('a', 64)), Ct);

        await response.ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity, "checksum_mismatch");
        var after = await ReleaseAsync(ops, "demo-app@1.0.0");
        after.GetProperty("available").GetBoolean().ShouldBeTrue();
        after.Str("sha256").ShouldBe(before.Str("sha256"));
    }

    [Fact]
    public async Task Artifact_OfUnknownRelease_Returns404()
    {
        using var ops = await portal.LoginAsync(PlatformOps);

        using var publish = await ops.SendAsync(PublishRequest("no-such@1.0.0", [1, 2, 3], checksum: null), Ct);
        using var remove = await ops.DeleteAsync("/api/v1/platform/releases/no-such@1.0.0/artifact", Ct);

        await publish.ShouldBeProblemAsync(HttpStatusCode.NotFound, "not_found");
        await remove.ShouldBeProblemAsync(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task Capacity_Get_ReportsUsedAndFree_AndPut_ChangesIt()
    {
        using var ops = await portal.LoginAsync(PlatformOps);
        using var getResponse = await ops.GetAsync("/api/v1/platform/simulator/capacity", Ct);
        var capacity = await getResponse.ShouldBeJsonAsync(HttpStatusCode.OK);
        capacity.ShouldBeSnakeCase();
        capacity.GetProperty("cpu").GetInt32().ShouldBe(64);
        capacity.GetProperty("memory_gb").GetInt32().ShouldBe(256);
        (capacity.GetProperty("used_cpu").GetInt32() + capacity.GetProperty("free_cpu").GetInt32()).ShouldBe(64);
        (capacity.GetProperty("used_memory_gb").GetInt32() + capacity.GetProperty("free_memory_gb").GetInt32()).ShouldBe(256);

        try
        {
            using var put = await ops.PutAsJsonAsync("/api/v1/platform/simulator/capacity", new { cpu = 128, memory_gb = 512 }, Ct);
            var changed = await put.ShouldBeJsonAsync(HttpStatusCode.OK);
            changed.GetProperty("cpu").GetInt32().ShouldBe(128);
            changed.GetProperty("memory_gb").GetInt32().ShouldBe(512);
            (changed.GetProperty("used_cpu").GetInt32() + changed.GetProperty("free_cpu").GetInt32()).ShouldBe(128);
            using var again = await ops.GetAsync("/api/v1/platform/simulator/capacity", Ct);
            (await again.ShouldBeJsonAsync(HttpStatusCode.OK)).GetProperty("free_memory_gb").GetInt32()
                .ShouldBe(512 - changed.GetProperty("used_memory_gb").GetInt32());
        }
        finally
        {
            using var restore = await ops.PutAsJsonAsync("/api/v1/platform/simulator/capacity", new { cpu = 64, memory_gb = 256 }, Ct);
            restore.StatusCode.ShouldBe(HttpStatusCode.OK);
        }
    }

    [Fact]
    public async Task Capacity_Put_OutOfRange_Returns400()
    {
        using var ops = await portal.LoginAsync(PlatformOps);

        using var response = await ops.PutAsJsonAsync("/api/v1/platform/simulator/capacity", new { cpu = 0, memory_gb = -1 }, Ct);

        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        problem.GetProperty("errors").TryGetProperty("cpu", out _).ShouldBeTrue();
        problem.GetProperty("errors").TryGetProperty("memory_gb", out _).ShouldBeTrue();
    }

    [Fact]
    public async Task Faults_Post201_Get200_Delete204()
    {
        using var ops = await portal.LoginAsync(PlatformOps);
        try
        {
            using var created = await ops.PostAsJsonAsync("/api/v1/platform/simulator/faults",
                new { step = "clone_vm", code = "insufficient_resources", times = 2, on = "execute" }, Ct);
            var fault = await created.ShouldBeJsonAsync(HttpStatusCode.Created);
            fault.ShouldBeSnakeCase();
            fault.Str("step").ShouldBe("clone_vm");
            fault.Str("code").ShouldBe("insufficient_resources");
            fault.GetProperty("remaining").GetInt32().ShouldBe(2);
            fault.Str("on").ShouldBe("execute");
            created.Headers.Location.ShouldNotBeNull();

            // A fault may be latency alone.
            using var latency = await ops.PostAsJsonAsync("/api/v1/platform/simulator/faults",
                new { step = "power_on", latency_ms = 10, probability = 0.5, on = "compensate" }, Ct);
            var slow = await latency.ShouldBeJsonAsync(HttpStatusCode.Created);
            slow.Str("code").ShouldBeNull();
            slow.GetProperty("latency_ms").GetInt32().ShouldBe(10);
            slow.Str("on").ShouldBe("compensate");

            using var list = await ops.GetAsync("/api/v1/platform/simulator/faults", Ct);
            var faults = await list.ShouldBeJsonAsync(HttpStatusCode.OK);
            faults.EnumerateArray().Select(f => f.GetProperty("id").GetGuid())
                .ShouldBe([fault.GetProperty("id").GetGuid(), slow.GetProperty("id").GetGuid()], ignoreOrder: true);
        }
        finally
        {
            using var cleared = await ops.DeleteAsync("/api/v1/platform/simulator/faults", Ct);
            cleared.StatusCode.ShouldBe(HttpStatusCode.NoContent);
        }

        using var empty = await ops.GetAsync("/api/v1/platform/simulator/faults", Ct);
        (await empty.ShouldBeJsonAsync(HttpStatusCode.OK)).GetArrayLength().ShouldBe(0);
    }

    public static TheoryData<string, string, string> InvalidFaults => new()
    {
        { "unknown step", """{"step":"reboot_everything","code":"unknown"}""", "step" },
        { "unknown code", """{"step":"clone_vm","code":"disk_on_fire"}""", "code" },
        { "no step", """{"code":"unknown"}""", "step" },
        { "neither code nor latency", """{"step":"clone_vm"}""", "code" },
        { "unknown phase", """{"step":"clone_vm","code":"unknown","on":"teardown"}""", "on" },
        { "times 0", """{"step":"clone_vm","code":"unknown","times":0}""", "times" },
        { "probability above 1", """{"step":"clone_vm","code":"unknown","probability":1.5}""", "probability" },
        { "negative latency", """{"step":"clone_vm","latency_ms":-5}""", "latency_ms" },
    };

    [Theory]
    [MemberData(nameof(InvalidFaults))]
    public async Task Faults_Post_Invalid_Returns400_AndAddsNoFault(string because, string json, string field)
    {
        using var ops = await portal.LoginAsync(PlatformOps);
        var before = (await portal.CountRowsAsync()).Faults;

        using var response = await ops.PostAsync("/api/v1/platform/simulator/faults", new StringContent(json, Encoding.UTF8, "application/json"), Ct);

        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        problem.GetProperty("errors").TryGetProperty(field, out _).ShouldBeTrue($"{because}: {problem}");
        (await portal.CountRowsAsync()).Faults.ShouldBe(before, because);
    }

    [Fact]
    public async Task Inventory_ListsEachResourceWithItsWorkspaceAndState()
    {
        using var member = await portal.LoginAsync(AcmeMember);
        using var ops = await portal.LoginAsync(PlatformOps);
        var id = await member.CreateAcceptedAsync("ubuntu-vm@24.04", size: new { cpu = 1, memory_gb = 1 });
        await WaitForStatusAsync(member, id, "ready");

        using var response = await ops.GetAsync("/api/v1/platform/simulator/inventory", Ct);

        var inventory = await response.ShouldBeJsonAsync(HttpStatusCode.OK);
        inventory.ShouldBeSnakeCase();
        var mine = inventory.EnumerateArray().Where(r => r.GetProperty("workspace_id").GetGuid() == id).ToList();
        var vm = mine.Single(r => r.Str("kind") == "vm");
        vm.Str("state").ShouldBe("active");
        vm.GetProperty("cpu").GetInt32().ShouldBe(1);
        vm.GetProperty("powered_on").GetBoolean().ShouldBeTrue();
        mine.ShouldAllBe(r => r.Str("state") == "active");
    }

    [Fact]
    public async Task Orphans_FailedCompensation_IsListed_AndRetryCleanup_Returns202AndReleasesIt()
    {
        using var member = await portal.LoginAsync(AcmeMember);
        using var ops = await portal.LoginAsync(PlatformOps);
        Guid id;
        try
        {
            using var cleanupFails = await ops.PostAsJsonAsync("/api/v1/platform/simulator/faults",
                new { step = "clone_vm", code = "service_unavailable", times = 1, on = "compensate" }, Ct);
            await cleanupFails.ShouldBeJsonAsync(HttpStatusCode.Created);
            using var powerOnFails = await ops.PostAsJsonAsync("/api/v1/platform/simulator/faults",
                new { step = "power_on", code = "vm_config_invalid", on = "execute" }, Ct);
            await powerOnFails.ShouldBeJsonAsync(HttpStatusCode.Created);

            id = await member.CreateAcceptedAsync("ubuntu-vm@24.04", size: new { cpu = 1, memory_gb = 1 });
            (await WaitForStatusAsync(member, id, "error")).Str("error_code").ShouldBe("vm_config_invalid");
        }
        finally
        {
            using var cleared = await ops.DeleteAsync("/api/v1/platform/simulator/faults", Ct);
            cleared.StatusCode.ShouldBe(HttpStatusCode.NoContent);
        }

        using var orphansResponse = await ops.GetAsync("/api/v1/platform/orphans", Ct);
        var orphans = await orphansResponse.ShouldBeJsonAsync(HttpStatusCode.OK);
        orphans.ShouldBeSnakeCase();
        var orphan = orphans.EnumerateArray().Single(o => o.GetProperty("workspace_id").GetGuid() == id);
        orphan.Str("step").ShouldBe("clone_vm");
        orphan.Str("kind").ShouldBe("vm");
        orphan.Str("tenant_id").ShouldBe("acme");
        orphan.Str("last_error").ShouldNotBeNullOrEmpty();
        var vmName = orphan.Str("external_id");
        (await InventoryItemAsync(ops, vmName!)).Str("state").ShouldBe("active");

        using var cleanup = await ops.PostEmptyAsync($"/api/v1/platform/orphans/{orphan.GetProperty("resource_id").GetGuid()}/retry-cleanup");

        var result = await cleanup.ShouldBeJsonAsync(HttpStatusCode.Accepted);
        result.Str("state").ShouldBe("released");
        result.Str("error").ShouldBeNull();
        using var afterResponse = await ops.GetAsync("/api/v1/platform/orphans", Ct);
        (await afterResponse.ShouldBeJsonAsync(HttpStatusCode.OK)).EnumerateArray()
            .ShouldNotContain(o => o.GetProperty("workspace_id").GetGuid() == id);
        (await InventoryItemAsync(ops, vmName!)).Str("state").ShouldBe("deleted");
    }

    [Fact]
    public async Task Orphans_RetryCleanup_OfUnknownResource_Returns404()
    {
        using var ops = await portal.LoginAsync(PlatformOps);

        using var response = await ops.PostEmptyAsync($"/api/v1/platform/orphans/{Guid.NewGuid()}/retry-cleanup");

        await response.ShouldBeProblemAsync(HttpStatusCode.NotFound, "not_found");
    }

    public static TheoryData<string, string> PlatformRoutes => new()
    {
        { "PUT", "/api/v1/platform/releases/demo-app@1.0.0/artifact" },
        { "DELETE", "/api/v1/platform/releases/demo-app@1.0.0/artifact" },
        { "GET", "/api/v1/platform/simulator/capacity" },
        { "PUT", "/api/v1/platform/simulator/capacity" },
        { "GET", "/api/v1/platform/simulator/faults" },
        { "POST", "/api/v1/platform/simulator/faults" },
        { "DELETE", "/api/v1/platform/simulator/faults" },
        { "GET", "/api/v1/platform/simulator/inventory" },
        { "GET", "/api/v1/platform/orphans" },
        { "POST", $"/api/v1/platform/orphans/{Guid.NewGuid()}/retry-cleanup" },
        { "GET", "/api/v1/platform/outbox" },
        { "POST", $"/api/v1/platform/outbox/{Guid.NewGuid()}/resend" },
    };

    [Theory]
    [MemberData(nameof(PlatformRoutes))]
    public async Task PlatformRoute_ForEveryoneButPlatformAdmins_Returns403_AndWithoutToken401(string method, string path)
    {
        using var ops = await portal.LoginAsync(PlatformOps);
        await portal.WaitForQuietAsync();
        var before = await portal.CountRowsAsync();
        var release = await ReleaseAsync(ops, "demo-app@1.0.0");
        foreach (var email in new[] { AcmeMember, AcmeAdmin, GlobexMember })
        {
            using var client = await portal.LoginAsync(email);
            using var response = await client.SendAsync(PlatformRequest(method, path), Ct);
            await response.ShouldBeProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        }

        using var anonymous = portal.Anonymous();
        using var unauthenticated = await anonymous.SendAsync(PlatformRequest(method, path), Ct);
        await unauthenticated.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");

        // Nothing happened: the artifact is still there, no fault was added, capacity is unchanged.
        (await portal.CountRowsAsync()).ShouldBe(before);
        (await ReleaseAsync(ops, "demo-app@1.0.0")).GetRawText().ShouldBe(release.GetRawText());
        using var capacity = await ops.GetAsync("/api/v1/platform/simulator/capacity", Ct);
        (await capacity.ShouldBeJsonAsync(HttpStatusCode.OK)).GetProperty("cpu").GetInt32().ShouldBe(64);
    }

    private static HttpRequestMessage PlatformRequest(string method, string path)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method is "PUT" or "POST")
        {
            request.Content = path.EndsWith("/artifact", StringComparison.Ordinal)
                ? new ByteArrayContent([1, 2, 3])
                : JsonContent.Create(path.EndsWith("/capacity", StringComparison.Ordinal)
                    ? new { cpu = 1, memory_gb = 1 }
                    : (object)new { step = "clone_vm", code = "unknown" });
        }

        return request;
    }

    private static HttpRequestMessage PublishRequest(string releaseId, byte[] bytes, string? checksum)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        var request = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/platform/releases/{releaseId}/artifact") { Content = content };
        if (checksum is not null)
        {
            request.Headers.Add("X-Checksum-Sha256", checksum);
        }

        return request;
    }

    private static Task<byte[]> DemoArtifactAsync(string file) =>
        File.ReadAllBytesAsync(Path.Combine(TestPaths.RepositoryRoot, "src", "Portal", "DemoData", "releases", file), Ct);

    private static async Task<JsonElement> ReleaseAsync(HttpClient client, string id)
    {
        using var response = await client.GetAsync("/api/v1/releases", Ct);
        return (await response.ShouldBeJsonAsync(HttpStatusCode.OK)).EnumerateArray().Single(r => r.Str("id") == id);
    }

    private static async Task<JsonElement> InventoryItemAsync(HttpClient ops, string name)
    {
        using var response = await ops.GetAsync("/api/v1/platform/simulator/inventory", Ct);
        return (await response.ShouldBeJsonAsync(HttpStatusCode.OK)).EnumerateArray().Single(r => r.Str("name") == name);
    }
}

public sealed class PlatformApiTestsOnSqlite(PortalApiFactory portal) : PlatformApiTests(portal), IClassFixture<PortalApiFactory>;

public sealed class PlatformApiTestsOnPostgres(PostgresPortalApiFactory portal) : PlatformApiTests(portal), IClassFixture<PostgresPortalApiFactory>;
