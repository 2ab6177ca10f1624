using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Portal.Tests.TestInfrastructure;
using static Portal.Tests.TestInfrastructure.ApiTestExtensions;
using static Portal.Tests.TestInfrastructure.PortalApiFactory;

namespace Portal.Tests.Portal.Api;

/// <summary>
/// <c>POST /api/v1/workspaces/{id}/retry</c> and seed 000's failure modes (S-006), on the real scheduler.
/// Only <see cref="SeedS006_MissingArtifact_ErrorThen503_ThenPublished_ThenReady"/> touches demo-app 2.0.0
/// (it publishes its artifact); the others use slow-app, which stays <c>provisioning</c> for the whole
/// two-second readiness timeout of every attempt and then fails with <c>runtime_timeout</c>.
/// </summary>
public abstract class RetryApiTests(PortalApiFactory portal)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task SeedS006_MissingArtifact_ErrorThen503_ThenPublished_ThenReady()
    {
        using var member = await portal.LoginAsync(AcmeMember);
        using var ops = await portal.LoginAsync(PlatformOps);

        // 1. Create: 202 provisioning, then error release_unavailable with the user's words.
        using var create = await member.CreateWorkspaceAsync(UniqueName("s006"), "demo-app@2.0.0");
        var accepted = await create.ShouldBeJsonAsync(HttpStatusCode.Accepted);
        accepted.GetProperty("status").GetString().ShouldBe("provisioning");
        var id = accepted.GetProperty("workspace_id").GetGuid();
        var failed = await WaitForStatusAsync(member, id, "error");
        failed.Str("error_code").ShouldBe("release_unavailable");
        failed.Str("error_detail").ShouldBe("The release artifact is not available. An administrator has been notified; retry once it is published.");
        failed.GetProperty("attempt").GetInt32().ShouldBe(1);

        // 2. Retry while the artifact is still missing: 503, and the workspace stays in error with its details updated.
        using var stillMissing = await member.PostEmptyAsync($"/api/v1/workspaces/{id}/retry");
        await stillMissing.ShouldBeProblemAsync(HttpStatusCode.ServiceUnavailable, "release_unavailable");
        using var afterRejectResponse = await member.GetAsync($"/api/v1/workspaces/{id}", Ct);
        var afterReject = await afterRejectResponse.ShouldBeJsonAsync(HttpStatusCode.OK);
        afterReject.Str("status").ShouldBe("error");
        afterReject.Str("error_code").ShouldBe("release_unavailable");
        afterReject.Str("error_detail").ShouldNotBeNullOrEmpty();
        afterReject.GetProperty("attempt").GetInt32().ShouldBe(1);
        afterReject.GetProperty("updated_at").GetDateTimeOffset().ShouldBeGreaterThan(failed.GetProperty("updated_at").GetDateTimeOffset());
        using var events = await member.GetAsync($"/api/v1/workspaces/{id}/events", Ct);
        (await events.ShouldBeJsonAsync(HttpStatusCode.OK)).EnumerateArray().Last().Str("type").ShouldBe("provisioning.retry_rejected");
        await using (var db = await portal.DbAsync())
        {
            (await db.Attempts.CountAsync(a => a.WorkspaceId == id, Ct)).ShouldBe(1);
        }

        // 3. A platform admin publishes the artifact (the bytes of demo-app 1.0.0, as in the seed).
        var bytes = await File.ReadAllBytesAsync(Path.Combine(TestPaths.RepositoryRoot, "src", "Portal", "DemoData", "releases", "demo-app-1.0.0.json"), Ct);
        using var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var publish = new HttpRequestMessage(HttpMethod.Put, "/api/v1/platform/releases/demo-app@2.0.0/artifact") { Content = content };
        publish.Headers.Add("X-Checksum-Sha256", Convert.ToHexStringLower(SHA256.HashData(bytes)));
        using var published = await ops.SendAsync(publish, Ct);
        (await published.ShouldBeJsonAsync(HttpStatusCode.OK)).GetProperty("available").GetBoolean().ShouldBeTrue();

        // 4. Retry: 202 with the new attempt, then ready.
        using var retry = await member.PostEmptyAsync($"/api/v1/workspaces/{id}/retry");
        var retried = await retry.ShouldBeJsonAsync(HttpStatusCode.Accepted);
        retried.ShouldBeSnakeCase();
        retried.GetProperty("workspace_id").GetGuid().ShouldBe(id);
        retried.Str("status").ShouldBe("provisioning");
        retried.GetProperty("attempt").GetInt32().ShouldBe(2);
        retried.Str("job_id").ShouldNotBeNullOrEmpty();
        var ready = await WaitForStatusAsync(member, id, "ready");
        ready.GetProperty("attempt").GetInt32().ShouldBe(2);
        ready.Str("error_code").ShouldBeNull();
        ready.Str("error_detail").ShouldBeNull();

        // 5. Retry when ready: 409 not_in_error, and no attempt is added.
        using var notInError = await member.PostEmptyAsync($"/api/v1/workspaces/{id}/retry");
        await notInError.ShouldBeProblemAsync(HttpStatusCode.Conflict, "not_in_error");
        await using (var db = await portal.DbAsync())
        {
            (await db.Attempts.CountAsync(a => a.WorkspaceId == id, Ct)).ShouldBe(2);
        }
    }

    [Fact]
    public async Task Retry_TwentyAtOnce_AcceptsExactlyOne_RejectsNineteenWith409_AndStartsOneAttempt()
    {
        using var member = await portal.LoginAsync(AcmeMember);
        var id = await member.CreateAcceptedAsync("slow-app@1.0.0", size: new { cpu = 1, memory_gb = 1 });
        (await WaitForStatusAsync(member, id, "error")).Str("error_code").ShouldBe("runtime_timeout");

        // Twenty connections, released together.
        var clients = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => portal.LoginAsync(AcmeMember)));
        using var start = new SemaphoreSlim(0, 20);
        var retries = clients.Select(async client =>
        {
            await start.WaitAsync(Ct);
            return await client.PostEmptyAsync($"/api/v1/workspaces/{id}/retry");
        }).ToList();
        start.Release(20);
        var responses = await Task.WhenAll(retries);

        try
        {
            responses.Count(r => r.StatusCode == HttpStatusCode.Accepted).ShouldBe(1, string.Join(", ", responses.Select(r => (int)r.StatusCode)));
            responses.Count(r => r.StatusCode == HttpStatusCode.Conflict).ShouldBe(19);
            foreach (var conflict in responses.Where(r => r.StatusCode == HttpStatusCode.Conflict))
            {
                await conflict.ShouldBeProblemAsync(HttpStatusCode.Conflict, "provisioning_in_progress");
            }

            var winner = await responses.Single(r => r.StatusCode == HttpStatusCode.Accepted).ShouldBeJsonAsync(HttpStatusCode.Accepted);
            winner.GetProperty("attempt").GetInt32().ShouldBe(2);

            using var detailResponse = await member.GetAsync($"/api/v1/workspaces/{id}", Ct);
            var detail = await detailResponse.ShouldBeJsonAsync(HttpStatusCode.OK);
            detail.GetProperty("attempt").GetInt32().ShouldBe(2);
            detail.Str("status").ShouldBe("provisioning");
            await using var db = await portal.DbAsync();
            (await db.Attempts.CountAsync(a => a.WorkspaceId == id, Ct)).ShouldBe(2);
            (await db.Events.CountAsync(e => e.WorkspaceId == id && e.Type == "provisioning.attempt_started", Ct)).ShouldBe(2);
        }
        finally
        {
            foreach (var response in responses)
            {
                response.Dispose();
            }

            foreach (var client in clients)
            {
                client.Dispose();
            }
        }

        (await WaitForStatusAsync(member, id, "error")).GetProperty("attempt").GetInt32().ShouldBe(2);
    }

    [Fact]
    public async Task Retry_WithADifferentSize_IsCheckedFirst_ThenResizesAndResumes_AndTheTimelineSaysSo()
    {
        using var member = await portal.LoginAsync(AcmeMember);
        using var ops = await portal.LoginAsync(PlatformOps);
        // The cluster refuses the first clone for capacity (this class's other workspaces hold capacity of their own, so a
        // smaller cluster would not say the same thing every time).
        using (var full = await ops.PostAsJsonAsync("/api/v1/platform/simulator/faults",
            new { step = "clone_vm", code = "insufficient_resources", times = 1, on = "execute" }, Ct))
        {
            full.StatusCode.ShouldBe(HttpStatusCode.Created);
        }

        try
        {
            var id = await member.CreateAcceptedAsync("ubuntu-vm@24.04", UniqueName("resize"), new { cpu = 4, memory_gb = 16 });
            (await WaitForStatusAsync(member, id, "error")).Str("error_code").ShouldBe("insufficient_resources");

            // A size that cannot be is refused with the fields that are wrong, and changes nothing.
            using (var bad = await member.PostAsJsonAsync($"/api/v1/workspaces/{id}/retry", new { size = new { cpu = 0 } }, Ct))
            {
                var problem = await bad.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
                var errors = problem.GetProperty("errors");
                errors.GetProperty("size.cpu")[0].GetString().ShouldBe("CPU must be between 1 and 64.");
                errors.GetProperty("size.memory_gb")[0].GetString().ShouldBe("Memory is required with a size.");
            }

            await using (var db = await portal.DbAsync())
            {
                (await db.Attempts.CountAsync(a => a.WorkspaceId == id, Ct)).ShouldBe(1);
            }

            using (var retried = await member.PostAsJsonAsync($"/api/v1/workspaces/{id}/retry", new { size = new { cpu = 1, memory_gb = 2 } }, Ct))
            {
                (await retried.ShouldBeJsonAsync(HttpStatusCode.Accepted)).GetProperty("attempt").GetInt32().ShouldBe(2);
            }

            var ready = await WaitForStatusAsync(member, id, "ready");
            ready.GetProperty("size").GetProperty("cpu").GetInt32().ShouldBe(1);
            ready.GetProperty("size").GetProperty("memory_gb").GetInt32().ShouldBe(2);
            using var events = await member.GetAsync($"/api/v1/workspaces/{id}/events", Ct);
            var resized = (await events.ShouldBeJsonAsync(HttpStatusCode.OK)).EnumerateArray().Single(e => e.Str("type") == "workspace.resized");
            resized.Str("actor").ShouldBe(AcmeMember);
            var payload = resized.GetProperty("payload");
            (payload.GetProperty("from_cpu").GetInt32(), payload.GetProperty("from_memory_gb").GetInt32()).ShouldBe((4, 16));
            (payload.GetProperty("cpu").GetInt32(), payload.GetProperty("memory_gb").GetInt32()).ShouldBe((1, 2));
        }
        finally
        {
            using var cleared = await ops.DeleteAsync("/api/v1/platform/simulator/faults", Ct);
        }
    }

    [Fact]
    public async Task Retry_WhileProvisioning_Returns409ProvisioningInProgress()
    {
        using var member = await portal.LoginAsync(AcmeMember);
        var id = await member.CreateAcceptedAsync("slow-app@1.0.0", size: new { cpu = 1, memory_gb = 1 });

        using var duringFirst = await member.PostEmptyAsync($"/api/v1/workspaces/{id}/retry");

        await duringFirst.ShouldBeProblemAsync(HttpStatusCode.Conflict, "provisioning_in_progress");
        await WaitForStatusAsync(member, id, "error");
        using var retry = await member.PostEmptyAsync($"/api/v1/workspaces/{id}/retry");
        await retry.ShouldBeJsonAsync(HttpStatusCode.Accepted);
        using var duringRetry = await member.PostEmptyAsync($"/api/v1/workspaces/{id}/retry");
        await duringRetry.ShouldBeProblemAsync(HttpStatusCode.Conflict, "provisioning_in_progress");
        await using var db = await portal.DbAsync();
        (await db.Attempts.CountAsync(a => a.WorkspaceId == id, Ct)).ShouldBe(2);
    }

    [Fact]
    public async Task Retry_PersistentFailure_StaysInError_WithUpdatedDetails()
    {
        using var member = await portal.LoginAsync(AcmeMember);
        var id = await member.CreateAcceptedAsync("slow-app@1.0.0", size: new { cpu = 1, memory_gb = 1 });
        var first = await WaitForStatusAsync(member, id, "error");

        using var retry = await member.PostEmptyAsync($"/api/v1/workspaces/{id}/retry");
        await retry.ShouldBeJsonAsync(HttpStatusCode.Accepted);
        var second = await WaitForStatusAsync(member, id, "error");

        second.Str("error_code").ShouldBe("runtime_timeout");
        second.Str("error_detail").ShouldBe("The workspace did not become ready in time. You can retry.");
        second.GetProperty("attempt").GetInt32().ShouldBe(2);
        second.GetProperty("correlation_id").GetGuid().ShouldNotBe(first.GetProperty("correlation_id").GetGuid());
        second.GetProperty("updated_at").GetDateTimeOffset().ShouldBeGreaterThan(first.GetProperty("updated_at").GetDateTimeOffset());
    }

    [Fact]
    public async Task Retry_DeletedWorkspace_Returns404()
    {
        using var member = await portal.LoginAsync(AcmeMember);
        var id = await member.CreateAcceptedAsync("slow-app@1.0.0", size: new { cpu = 1, memory_gb = 1 });
        await WaitForStatusAsync(member, id, "error");
        using var delete = await member.DeleteAsync($"/api/v1/workspaces/{id}", Ct);
        await delete.ShouldBeJsonAsync(HttpStatusCode.Accepted);
        await WaitForStatusAsync(member, id, "deleted");

        using var retry = await member.PostEmptyAsync($"/api/v1/workspaces/{id}/retry");

        await retry.ShouldBeProblemAsync(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task Retry_ByTheTenantAdmin_IsAllowed_AndRecordedAsTheActor()
    {
        using var member = await portal.LoginAsync(AcmeMember);
        using var admin = await portal.LoginAsync(AcmeAdmin);
        var id = await member.CreateAcceptedAsync("slow-app@1.0.0", size: new { cpu = 1, memory_gb = 1 });
        await WaitForStatusAsync(member, id, "error");

        using var retry = await admin.PostEmptyAsync($"/api/v1/workspaces/{id}/retry");

        await retry.ShouldBeJsonAsync(HttpStatusCode.Accepted);
        using var events = await member.GetAsync($"/api/v1/workspaces/{id}/events", Ct);
        (await events.ShouldBeJsonAsync(HttpStatusCode.OK)).EnumerateArray()
            .ShouldContain(e => e.Str("type") == "provisioning.attempt_started" && e.Str("actor") == AcmeAdmin);
        await WaitForStatusAsync(member, id, "error");
    }
}

public sealed class RetryApiTestsOnSqlite(PortalApiFactory portal) : RetryApiTests(portal), IClassFixture<PortalApiFactory>;

public sealed class RetryApiTestsOnPostgres(PostgresPortalApiFactory portal) : RetryApiTests(portal), IClassFixture<PostgresPortalApiFactory>;
