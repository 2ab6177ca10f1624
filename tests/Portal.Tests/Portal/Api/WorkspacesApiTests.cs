using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Portal.Tests.TestInfrastructure;
using static Portal.Tests.TestInfrastructure.ApiTestExtensions;
using static Portal.Tests.TestInfrastructure.PortalApiFactory;

namespace Portal.Tests.Portal.Api;

/// <summary>
/// The workspace rows of DESIGN §6 through the real HTTP pipeline: create, list, get, events, delete, and the
/// validation and Idempotency-Key rules of issue 3. One portal for the class; every test uses its own names.
/// Only <see cref="List_FiltersByStatus_AndPages"/> uses the globex tenant, so its totals are exact.
/// </summary>
public abstract class WorkspacesApiTests(PortalApiFactory portal)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Releases_ListsEveryDemoRelease_WithAvailability()
    {
        using var client = await portal.LoginAsync(AcmeMember);

        using var response = await client.GetAsync("/api/v1/releases", Ct);

        var releases = await response.ShouldBeJsonAsync(HttpStatusCode.OK);
        releases.ShouldBeSnakeCase();
        var byId = releases.EnumerateArray().ToDictionary(r => r.GetProperty("id").GetString()!);
        byId.Keys.ShouldBe(["demo-app@1.0.0", "demo-app@1.1.0", "demo-app@2.0.0", "slow-app@1.0.0", "ubuntu-vm@24.04"], ignoreOrder: true);
        byId["demo-app@1.0.0"].GetProperty("available").GetBoolean().ShouldBeTrue();
        byId["demo-app@1.1.0"].GetProperty("available").GetBoolean().ShouldBeFalse();
        byId["demo-app@2.0.0"].GetProperty("available").GetBoolean().ShouldBeFalse();
        byId["ubuntu-vm@24.04"].GetProperty("template").GetString().ShouldBe("vm");
        byId["demo-app@1.0.0"].GetProperty("template").GetString().ShouldBe("app");
        byId["demo-app@1.0.0"].GetProperty("name").GetString().ShouldBe("demo-app");
        byId["demo-app@1.0.0"].GetProperty("version").GetString().ShouldBe("1.0.0");
    }

    [Fact]
    public async Task OpenApiDocument_DescribesTheWorkspaceRoutes()
    {
        using var client = portal.Anonymous();

        using var response = await client.GetAsync("/openapi/v1.json", Ct);

        var document = await response.ShouldBeJsonAsync(HttpStatusCode.OK);
        var paths = document.GetProperty("paths");
        foreach (var path in new[] { "/api/v1/workspaces", "/api/v1/workspaces/{id}", "/api/v1/workspaces/{id}/retry", "/api/v1/workspaces/{id}/events", "/api/v1/releases",
                     "/api/v1/auth/login", "/api/v1/auth/refresh", "/api/v1/auth/manage/info" })
        {
            paths.TryGetProperty(path, out _).ShouldBeTrue($"{path} is missing from the OpenAPI document");
        }

        // Only what works: Identity's endpoints the portal closes are not offered.
        foreach (var closed in new[] { "register", "confirmEmail", "resendConfirmationEmail", "forgotPassword", "resetPassword" })
        {
            paths.TryGetProperty($"/api/v1/auth/{closed}", out _).ShouldBeFalse($"/api/v1/auth/{closed} answers 403 and must not be in the OpenAPI document");
        }
    }

    [Theory]
    [InlineData("forgotPassword", "password_reset_unavailable", false)]
    [InlineData("resetPassword", "password_reset_unavailable", true)]
    [InlineData("resendConfirmationEmail", "email_flow_unavailable", false)]
    public async Task IdentitysEmailFlows_Answer403_WithAReason(string endpoint, string code, bool withResetCode)
    {
        using var client = portal.Anonymous();
        object body = withResetCode ? new { email = AcmeMember, reset_code = "x", new_password = "Whatever-pass-1!" } : new { email = AcmeMember };

        using var response = await client.PostAsJsonAsync($"/api/v1/auth/{endpoint}", body, Ct);

        await response.ShouldBeProblemAsync(HttpStatusCode.Forbidden, code);
    }

    [Fact]
    public async Task Create_Returns202_WithLocation_AndProvisioning_ThenBecomesReady()
    {
        using var client = await portal.LoginAsync(AcmeMember);
        var name = UniqueName("create");

        using var response = await client.CreateWorkspaceAsync(name, "demo-app@1.0.0");

        var accepted = await response.ShouldBeJsonAsync(HttpStatusCode.Accepted);
        accepted.ShouldBeSnakeCase();
        var id = accepted.GetProperty("workspace_id").GetGuid();
        accepted.GetProperty("status").GetString().ShouldBe("provisioning");
        accepted.GetProperty("name").GetString().ShouldBe(name);
        accepted.GetProperty("release_id").GetString().ShouldBe("demo-app@1.0.0");
        // No size given: the release's defaults.
        accepted.GetProperty("size").GetProperty("cpu").GetInt32().ShouldBe(2);
        accepted.GetProperty("size").GetProperty("memory_gb").GetInt32().ShouldBe(4);
        response.Headers.Location.ShouldNotBeNull();
        response.Headers.Location!.ToString().ShouldEndWith($"/api/v1/workspaces/{id}");

        using var located = await client.GetAsync(response.Headers.Location, Ct);
        (await located.ShouldBeJsonAsync(HttpStatusCode.OK)).GetProperty("workspace_id").GetGuid().ShouldBe(id);

        var ready = await WaitForStatusAsync(client, id, "ready");
        ready.GetProperty("attempt").GetInt32().ShouldBe(1);
        ready.Str("error_code").ShouldBeNull();
    }

    [Fact]
    public async Task Get_ReturnsTheDetailOfDesign6_InSnakeCase()
    {
        using var client = await portal.LoginAsync(AcmeMember);
        var id = await client.CreateAcceptedAsync("demo-app@1.0.0", size: new { cpu = 1, memory_gb = 2 });

        var detail = await WaitForStatusAsync(client, id, "ready");

        detail.ShouldBeSnakeCase();
        foreach (var member in new[] { "workspace_id", "name", "release_id", "status", "error_code", "error_detail", "attempt", "correlation_id", "created_at", "updated_at", "steps" })
        {
            detail.TryGetProperty(member, out _).ShouldBeTrue($"missing '{member}' in {detail}");
        }

        detail.GetProperty("correlation_id").GetGuid().ShouldNotBe(Guid.Empty);
        detail.GetProperty("size").GetProperty("cpu").GetInt32().ShouldBe(1);
        detail.GetProperty("size").GetProperty("memory_gb").GetInt32().ShouldBe(2);
        var steps = detail.GetProperty("steps").EnumerateArray().ToList();
        steps.Select(s => s.GetProperty("name").GetString()).ShouldBe(
            ["fetch_release", "create_tenant_database", "create_tenant_schema", "register_services", "generate_api_keys", "start_runtime", "verify_services"]);
        foreach (var step in steps)
        {
            step.GetProperty("status").GetString().ShouldBe("success");
            foreach (var member in new[] { "started_at", "completed_at", "retry_count", "next_retry_at", "error_code", "error_message" })
            {
                step.TryGetProperty(member, out _).ShouldBeTrue($"step misses '{member}': {step}");
            }
        }
    }

    [Fact]
    public async Task Get_UnknownWorkspace_Returns404Problem()
    {
        using var client = await portal.LoginAsync(AcmeMember);

        using var response = await client.GetAsync($"/api/v1/workspaces/{Guid.NewGuid()}", Ct);

        await response.ShouldBeProblemAsync(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task Create_MissingArtifact_EndsInError_WithCodeAndUserDetail()
    {
        using var client = await portal.LoginAsync(AcmeMember);
        var id = await client.CreateAcceptedAsync("demo-app@2.0.0");

        var failed = await WaitForStatusAsync(client, id, "error");

        failed.Str("error_code").ShouldBe("release_unavailable");
        failed.Str("error_detail").ShouldBe("The release artifact is not available. An administrator has been notified; retry once it is published.");
        var fetch = failed.GetProperty("steps").EnumerateArray().First();
        fetch.Str("status").ShouldBe("failed");
        fetch.Str("error_code").ShouldBe("release_unavailable");
    }

    [Fact]
    public async Task List_FiltersByStatus_AndPages()
    {
        using var client = await portal.LoginAsync(GlobexMember);
        var ids = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add(await client.CreateAcceptedAsync("demo-app@1.0.0", UniqueName("list"), new { cpu = 1, memory_gb = 1 }));
        }

        var failedId = await client.CreateAcceptedAsync("demo-app@2.0.0", UniqueName("list-err"));
        foreach (var id in ids)
        {
            await WaitForStatusAsync(client, id, "ready");
        }

        await WaitForStatusAsync(client, failedId, "error");

        using var first = await client.GetAsync("/api/v1/workspaces?status=ready&page=1&page_size=2", Ct);
        var page1 = await first.ShouldBeJsonAsync(HttpStatusCode.OK);
        page1.ShouldBeSnakeCase();
        page1.GetProperty("total").GetInt32().ShouldBe(3);
        page1.GetProperty("page").GetInt32().ShouldBe(1);
        page1.GetProperty("page_size").GetInt32().ShouldBe(2);
        page1.GetProperty("items").GetArrayLength().ShouldBe(2);

        using var second = await client.GetAsync("/api/v1/workspaces?status=ready&page=2&page_size=2", Ct);
        var page2 = await second.ShouldBeJsonAsync(HttpStatusCode.OK);
        page2.GetProperty("page").GetInt32().ShouldBe(2);
        page2.GetProperty("items").GetArrayLength().ShouldBe(1);

        var listed = page1.GetProperty("items").EnumerateArray().Concat(page2.GetProperty("items").EnumerateArray()).ToList();
        listed.Select(w => w.GetProperty("workspace_id").GetGuid()).ShouldBe(ids, ignoreOrder: true);
        listed.ShouldAllBe(w => w.GetProperty("status").GetString() == "ready");

        using var errors = await client.GetAsync("/api/v1/workspaces?status=error", Ct);
        var inError = await errors.ShouldBeJsonAsync(HttpStatusCode.OK);
        inError.GetProperty("items").EnumerateArray().Select(w => w.GetProperty("workspace_id").GetGuid()).ShouldBe([failedId]);
        inError.GetProperty("items")[0].Str("error_code").ShouldBe("release_unavailable");

        using var all = await client.GetAsync("/api/v1/workspaces", Ct);
        var everything = await all.ShouldBeJsonAsync(HttpStatusCode.OK);
        everything.GetProperty("total").GetInt32().ShouldBe(4);
        everything.GetProperty("page").GetInt32().ShouldBe(1);
        everything.GetProperty("page_size").GetInt32().ShouldBe(20);
    }

    [Fact]
    public async Task Events_AreTheTimeline_OldestFirst()
    {
        using var client = await portal.LoginAsync(AcmeMember);
        var id = await client.CreateAcceptedAsync("demo-app@1.0.0");
        await WaitForStatusAsync(client, id, "ready");

        using var response = await client.GetAsync($"/api/v1/workspaces/{id}/events", Ct);

        var events = (await response.ShouldBeJsonAsync(HttpStatusCode.OK)).EnumerateArray().ToList();
        events.Count.ShouldBeGreaterThan(2);
        events.ForEach(e => e.ShouldBeSnakeCase("payload"));
        var sequences = events.Select(e => e.GetProperty("sequence").GetInt64()).ToList();
        sequences.ShouldBe(sequences.Order().ToList());
        sequences.Distinct().Count().ShouldBe(sequences.Count);
        var times = events.Select(e => e.GetProperty("occurred_at").GetDateTimeOffset()).ToList();
        times.ShouldBe(times.Order().ToList());
        events.ShouldAllBe(e => !string.IsNullOrEmpty(e.GetProperty("type").GetString()));
        events[0].GetProperty("actor").GetString().ShouldBe(AcmeMember);
    }

    [Fact]
    public async Task Events_UnknownWorkspace_Returns404Problem()
    {
        using var client = await portal.LoginAsync(AcmeMember);

        using var response = await client.GetAsync($"/api/v1/workspaces/{Guid.NewGuid()}/events", Ct);

        await response.ShouldBeProblemAsync(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task Delete_Ready_Returns202_ThenDeleted_AndReleasesEveryResource()
    {
        using var client = await portal.LoginAsync(AcmeMember);
        var name = UniqueName("delete");
        var id = await client.CreateAcceptedAsync("demo-app@1.0.0", name, new { cpu = 1, memory_gb = 1 });
        await WaitForStatusAsync(client, id, "ready");

        using var response = await client.DeleteAsync($"/api/v1/workspaces/{id}", Ct);

        var accepted = await response.ShouldBeJsonAsync(HttpStatusCode.Accepted);
        accepted.GetProperty("workspace_id").GetGuid().ShouldBe(id);
        accepted.GetProperty("status").GetString().ShouldBe("deprovisioning");
        await WaitForStatusAsync(client, id, "deleted");

        await using var db = await portal.DbAsync();
        (await db.Resources.Where(r => r.WorkspaceId == id).ToListAsync(Ct))
            .ShouldAllBe(r => r.State == Provisioning.Core.Workspaces.ResourceState.Released);
        (await db.SimulatedResources.Where(r => r.WorkspaceId == id && r.DeletedAt == null).CountAsync(Ct)).ShouldBe(0);

        // A deleted workspace's name is free again, and it leaves the default list.
        using var list = await client.GetAsync("/api/v1/workspaces?page_size=100", Ct);
        (await list.ShouldBeJsonAsync(HttpStatusCode.OK)).GetProperty("items").EnumerateArray()
            .ShouldNotContain(w => w.GetProperty("workspace_id").GetGuid() == id);
        using var again = await client.CreateWorkspaceAsync(name, "demo-app@2.0.0");
        await again.ShouldBeJsonAsync(HttpStatusCode.Accepted);
    }

    [Fact]
    public async Task Delete_WhileProvisioning_Returns409()
    {
        using var client = await portal.LoginAsync(AcmeMember);
        // slow-app never becomes ready: it stays provisioning for the whole readiness timeout.
        var id = await client.CreateAcceptedAsync("slow-app@1.0.0", size: new { cpu = 1, memory_gb = 1 });

        using var response = await client.DeleteAsync($"/api/v1/workspaces/{id}", Ct);

        await response.ShouldBeProblemAsync(HttpStatusCode.Conflict, "provisioning_in_progress");
        (await WaitForStatusAsync(client, id, "error")).Str("error_code").ShouldBe("runtime_timeout");
    }

    [Fact]
    public async Task Delete_UnknownWorkspace_Returns404Problem()
    {
        using var client = await portal.LoginAsync(AcmeMember);

        using var response = await client.DeleteAsync($"/api/v1/workspaces/{Guid.NewGuid()}", Ct);

        await response.ShouldBeProblemAsync(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task Retry_UnknownWorkspace_Returns404Problem()
    {
        using var client = await portal.LoginAsync(AcmeMember);

        using var response = await client.PostEmptyAsync($"/api/v1/workspaces/{Guid.NewGuid()}/retry");

        await response.ShouldBeProblemAsync(HttpStatusCode.NotFound, "not_found");
    }

    public static TheoryData<string, string> InvalidNames => new()
    {
        { "empty", "" },
        { "too short", "ab" },
        { "64 characters", "a" + new string('b', 63) },
        { "uppercase", "Workspace" },
        { "starts with a digit", "1workspace" },
        { "starts with a hyphen", "-workspace" },
        { "underscore", "my_workspace" },
        { "space", "my workspace" },
        { "dot", "my.workspace" },
        { "unicode letter", "wörkspace" },
        { "control character", "work\u0001space" },
        { "trailing newline", "workspace\n" },
    };

    [Theory]
    [MemberData(nameof(InvalidNames))]
    public async Task Create_InvalidName_Returns400ValidationFailed_AndCreatesNothing(string because, string name)
    {
        using var client = await portal.LoginAsync(AcmeMember);
        var before = await WorkspaceCountAsync();

        using var response = await client.CreateWorkspaceAsync(name, "demo-app@1.0.0");

        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        problem.GetProperty("errors").TryGetProperty("name", out _).ShouldBeTrue(because);
        (await WorkspaceCountAsync()).ShouldBe(before, because);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(63)]
    public async Task Create_NameAtTheLengthLimits_IsAccepted(int length)
    {
        using var client = await portal.LoginAsync(AcmeMember);
        var name = ("l" + Guid.NewGuid().ToString("N") + Guid.NewGuid().ToString("N"))[..length];

        // demo-app 2.0.0 fails at fetch_release, so it takes no simulator capacity.
        using var response = await client.CreateWorkspaceAsync(name, "demo-app@2.0.0");

        (await response.ShouldBeJsonAsync(HttpStatusCode.Accepted)).GetProperty("name").GetString().ShouldBe(name);
    }

    [Fact]
    public async Task Create_DuplicateNameInTenant_Returns409NameTaken()
    {
        using var member = await portal.LoginAsync(AcmeMember);
        using var admin = await portal.LoginAsync(AcmeAdmin);
        var name = UniqueName("dup");
        await member.CreateAcceptedAsync("demo-app@2.0.0", name);
        var before = await WorkspaceCountAsync();

        using var same = await member.CreateWorkspaceAsync(name, "demo-app@2.0.0");
        using var otherUserSameTenant = await admin.CreateWorkspaceAsync(name, "demo-app@1.0.0");

        await same.ShouldBeProblemAsync(HttpStatusCode.Conflict, "name_taken");
        await otherUserSameTenant.ShouldBeProblemAsync(HttpStatusCode.Conflict, "name_taken");
        (await WorkspaceCountAsync()).ShouldBe(before);
    }

    public static TheoryData<string, int?, int?> InvalidSizes => new()
    {
        { "cpu 0", 0, null },
        { "cpu 65", 65, null },
        { "cpu -1", -1, null },
        { "memory 0", null, 0 },
        { "memory 513", null, 513 },
        { "memory -4", null, -4 },
        { "both out of range", 100, 1000 },
    };

    [Theory]
    [MemberData(nameof(InvalidSizes))]
    public async Task Create_SizeOutOfRange_Returns400ValidationFailed(string because, int? cpu, int? memoryGb)
    {
        using var client = await portal.LoginAsync(AcmeMember);
        var before = await WorkspaceCountAsync();

        using var response = await client.CreateWorkspaceAsync(UniqueName("size"), "demo-app@1.0.0", new { cpu, memory_gb = memoryGb });

        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        var errors = problem.GetProperty("errors");
        if (cpu is not null)
        {
            errors.TryGetProperty("size.cpu", out _).ShouldBeTrue($"{because}: {problem}");
        }

        if (memoryGb is not null)
        {
            errors.TryGetProperty("size.memory_gb", out _).ShouldBeTrue($"{because}: {problem}");
        }

        (await WorkspaceCountAsync()).ShouldBe(before, because);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(64, 512)]
    public async Task Create_SizeAtTheLimits_IsAccepted(int cpu, int memoryGb)
    {
        using var client = await portal.LoginAsync(AcmeMember);

        // demo-app 2.0.0 fails at fetch_release, so even the largest size takes no simulator capacity.
        using var response = await client.CreateWorkspaceAsync(UniqueName("size"), "demo-app@2.0.0", new { cpu, memory_gb = memoryGb });

        var accepted = await response.ShouldBeJsonAsync(HttpStatusCode.Accepted);
        accepted.GetProperty("size").GetProperty("cpu").GetInt32().ShouldBe(cpu);
        accepted.GetProperty("size").GetProperty("memory_gb").GetInt32().ShouldBe(memoryGb);
    }

    [Fact]
    public async Task Create_UnknownRelease_Returns422UnknownRelease()
    {
        using var client = await portal.LoginAsync(AcmeMember);
        var before = await WorkspaceCountAsync();

        using var response = await client.CreateWorkspaceAsync(UniqueName("rel"), "no-such-app@9.9.9");

        await response.ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity, "unknown_release");
        (await WorkspaceCountAsync()).ShouldBe(before);
    }

    [Fact]
    public async Task Create_MissingRelease_Returns400ValidationFailed()
    {
        using var client = await portal.LoginAsync(AcmeMember);

        using var response = await client.PostAsJsonAsync("/api/v1/workspaces", new { name = UniqueName("norel") }, Ct);

        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        problem.GetProperty("errors").TryGetProperty("release_id", out _).ShouldBeTrue();
    }

    [Fact]
    public async Task Create_SameIdempotencyKeyAndBody_ReturnsTheFirstWorkspace_AndCreatesNothing()
    {
        using var client = await portal.LoginAsync(AcmeMember);
        var key = Guid.NewGuid().ToString();
        var name = UniqueName("idem");
        using var first = await client.CreateWorkspaceAsync(name, "demo-app@1.0.0", new { cpu = 1, memory_gb = 1 }, key);
        var created = await first.ShouldBeJsonAsync(HttpStatusCode.Accepted);
        var id = created.GetProperty("workspace_id").GetGuid();
        var before = await portal.CountRowsAsync();

        using var second = await client.CreateWorkspaceAsync(name, "demo-app@1.0.0", new { cpu = 1, memory_gb = 1 }, key);
        using var third = await client.CreateWorkspaceAsync(name, "demo-app@1.0.0", new { cpu = 1, memory_gb = 1 }, key);

        (await second.ShouldBeJsonAsync(HttpStatusCode.Accepted)).GetProperty("workspace_id").GetGuid().ShouldBe(id);
        (await third.ShouldBeJsonAsync(HttpStatusCode.Accepted)).GetProperty("workspace_id").GetGuid().ShouldBe(id);
        second.Headers.Location!.ToString().ShouldEndWith($"/api/v1/workspaces/{id}");
        var after = await portal.CountRowsAsync();
        after.Workspaces.ShouldBe(before.Workspaces);
        after.Attempts.ShouldBe(before.Attempts);
        after.IdempotencyKeys.ShouldBe(before.IdempotencyKeys);
        await WaitForStatusAsync(client, id, "ready");
    }

    [Fact]
    public async Task Create_SameIdempotencyKey_DifferentBody_Returns422IdempotencyKeyReused()
    {
        using var client = await portal.LoginAsync(AcmeMember);
        var key = Guid.NewGuid().ToString();
        using var first = await client.CreateWorkspaceAsync(UniqueName("idem"), "demo-app@2.0.0", idempotencyKey: key);
        await first.ShouldBeJsonAsync(HttpStatusCode.Accepted);
        var before = await WorkspaceCountAsync();

        using var otherName = await client.CreateWorkspaceAsync(UniqueName("idem"), "demo-app@2.0.0", idempotencyKey: key);
        using var otherSize = await client.CreateWorkspaceAsync(UniqueName("idem"), "demo-app@2.0.0", new { cpu = 3 }, key);

        await otherName.ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity, "idempotency_key_reused");
        await otherSize.ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity, "idempotency_key_reused");
        (await WorkspaceCountAsync()).ShouldBe(before);
    }

    [Fact]
    public async Task Create_SameIdempotencyKey_FromAnotherUser_IsANewRequest()
    {
        using var member = await portal.LoginAsync(AcmeMember);
        using var admin = await portal.LoginAsync(AcmeAdmin);
        var key = Guid.NewGuid().ToString();
        using var first = await member.CreateWorkspaceAsync(UniqueName("idem"), "demo-app@2.0.0", idempotencyKey: key);
        var mine = (await first.ShouldBeJsonAsync(HttpStatusCode.Accepted)).GetProperty("workspace_id").GetGuid();

        using var second = await admin.CreateWorkspaceAsync(UniqueName("idem"), "demo-app@2.0.0", idempotencyKey: key);

        (await second.ShouldBeJsonAsync(HttpStatusCode.Accepted)).GetProperty("workspace_id").GetGuid().ShouldNotBe(mine);
    }

    [Fact]
    public async Task Create_ConcurrentRequestsWithOneIdempotencyKey_CreateOneWorkspace()
    {
        using var client = await portal.LoginAsync(AcmeMember);
        var key = Guid.NewGuid().ToString();
        var name = UniqueName("idem-race");

        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => client.CreateWorkspaceAsync(name, "demo-app@2.0.0", idempotencyKey: key)));

        try
        {
            var ids = new HashSet<Guid>();
            foreach (var response in responses)
            {
                ids.Add((await response.ShouldBeJsonAsync(HttpStatusCode.Accepted)).GetProperty("workspace_id").GetGuid());
            }

            ids.Count.ShouldBe(1);
            await using var db = await portal.DbAsync();
            (await db.Workspaces.CountAsync(w => w.Name == name, Ct)).ShouldBe(1);
        }
        finally
        {
            foreach (var response in responses)
            {
                response.Dispose();
            }
        }
    }

    private async Task<int> WorkspaceCountAsync() => (await portal.CountRowsAsync()).Workspaces;
}

public sealed class WorkspacesApiTestsOnSqlite(PortalApiFactory portal) : WorkspacesApiTests(portal), IClassFixture<PortalApiFactory>;

public sealed class WorkspacesApiTestsOnPostgres(PostgresPortalApiFactory portal) : WorkspacesApiTests(portal), IClassFixture<PostgresPortalApiFactory>;
