using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Portal.Tests.Core.Notifications;
using Provisioning.Core.Errors;
using Provisioning.Core.Identity;

namespace Portal.Tests.Portal.Notifications;

/// <summary>
/// End to end on the real portal: a failure requested through the API reaches the right people in the app and
/// by email, delivered by the scheduled outbox job, and the platform admin's outbox API shows and resends mail.
/// </summary>
public sealed class OutboxApiTests
{
    private const string Member = "member@acme.test";
    private const string AcmeAdmin = "admin@acme.test";
    private const string SecondAcmeAdmin = "admin2@acme.test";
    private const string GlobexMember = "member@globex.test";
    private const string GlobexAdmin = "admin@globex.test";
    private const string Ops = "ops@platform.test";

    [Fact]
    public async Task Failure_ReachesTheRequesterAndEachTenantAdmin_ByEmailAndInApp_AndNoOneElse()
    {
        await using var smtp = await SmtpTestServer.StartNewAsync();
        await using var portal = new NotificationsPortal(smtp.Port);
        await portal.AddUserAsync(SecondAcmeAdmin, "acme", PortalRole.TenantAdmin);
        await portal.AddUserAsync(GlobexAdmin, "globex", PortalRole.TenantAdmin);
        using var member = await portal.LoginAsync(Member);
        using var ops = await portal.LoginAsync(Ops);

        var workspaceId = await NotificationsPortal.FailAWorkspaceAsync(member, "team-wiki");

        await NotificationsPortal.WaitUntilAsync(ops, "/api/v1/platform/outbox?status=sent", body => body.GetProperty("total").GetInt32() == 3);
        var messages = smtp.Messages();
        messages.Select(m => m.Recipient()).ShouldBe([Member, AcmeAdmin, SecondAcmeAdmin], ignoreOrder: true);
        var toRequester = messages.Single(m => m.Recipient() == Member);
        toRequester.Subject.ShouldBe("Your workspace team-wiki could not be provisioned");
        toRequester.TextBody!.ShouldContain(ErrorCatalogue.Get(ErrorCatalogue.ReleaseUnavailable).UserMessage);
        toRequester.HtmlBody!.ShouldContain($"href=\"{NotificationsPortal.PublicBaseUrl}/workspaces/{workspaceId}\"");
        toRequester.TextBody!.ShouldNotContain(ErrorCatalogue.ReleaseUnavailable);
        foreach (var toAdmin in messages.Where(m => m.Recipient() != Member))
        {
            toAdmin.Subject.ShouldBe("[acme] Workspace team-wiki failed: release_unavailable");
            toAdmin.TextBody!.ShouldContain("Error code: release_unavailable");
            toAdmin.TextBody!.ShouldContain("- Fetch release: failed");
        }

        foreach (var (who, expected) in new[] { (Member, 1), (AcmeAdmin, 1), (SecondAcmeAdmin, 1), (GlobexMember, 0), (GlobexAdmin, 0), (Ops, 0) })
        {
            using var client = await portal.LoginAsync(who);
            var inbox = await client.GetFromJsonAsync<JsonElement>("/api/v1/notifications", TestContext.Current.CancellationToken);
            inbox.GetProperty("unread").GetInt32().ShouldBe(expected, who);
            inbox.GetProperty("items").EnumerateArray().ShouldAllBe(n =>
                n.GetProperty("kind").GetString() == "provisioning_failed" && n.GetProperty("workspace_id").GetGuid() == workspaceId);
        }
    }

    [Fact]
    public async Task SmtpOutage_QueuesMailWithAttemptsAndLastError_ThenDeliversEveryEmailOnce()
    {
        await using var smtp = SmtpTestServer.Create();
        await using var portal = new NotificationsPortal(smtp.Port);
        using var member = await portal.LoginAsync(Member);
        using var ops = await portal.LoginAsync(Ops);

        await NotificationsPortal.FailAWorkspaceAsync(member, "first");
        await NotificationsPortal.FailAWorkspaceAsync(member, "second");

        var queued = await NotificationsPortal.WaitUntilAsync(ops, "/api/v1/platform/outbox?status=pending", body =>
            body.GetProperty("total").GetInt32() == 4
            && body.GetProperty("items").EnumerateArray().All(m => m.GetProperty("attempts").GetInt32() >= 2));
        queued.GetProperty("items").EnumerateArray().ShouldAllBe(m =>
            m.GetProperty("last_error").GetString()!.Contains("Connection refused") && m.GetProperty("next_attempt_at").ValueKind == JsonValueKind.String);
        smtp.Messages().ShouldBeEmpty();

        await smtp.StartAsync();

        var sent = await NotificationsPortal.WaitUntilAsync(ops, "/api/v1/platform/outbox?status=sent", body => body.GetProperty("total").GetInt32() == 4);
        (await ops.GetFromJsonAsync<JsonElement>("/api/v1/platform/outbox?status=pending", TestContext.Current.CancellationToken))
            .GetProperty("total").GetInt32().ShouldBe(0);
        var messages = smtp.Messages();
        messages.Count.ShouldBe(4);
        messages.Select(m => m.MessageId).Distinct().Count().ShouldBe(4);
        messages.Select(m => m.MessageId!.Split('@')[0]).ShouldBe(
            sent.GetProperty("items").EnumerateArray().Select(m => m.GetProperty("id").GetGuid().ToString("N")), ignoreOrder: true);
        messages.Count(m => m.Recipient() == Member).ShouldBe(2);
        messages.Count(m => m.Recipient() == AcmeAdmin).ShouldBe(2);
    }

    [Fact]
    public async Task OutboxApi_ListsByStatus_AndResends_ForPlatformAdminsOnly()
    {
        await using var portal = new NotificationsPortal();
        using var member = await portal.LoginAsync(Member);
        using var admin = await portal.LoginAsync(AcmeAdmin);
        using var ops = await portal.LoginAsync(Ops);
        using var anonymous = portal.Anonymous();
        var cancellationToken = TestContext.Current.CancellationToken;
        var workspaceId = await NotificationsPortal.FailAWorkspaceAsync(member, "team-wiki");

        var sent = await NotificationsPortal.WaitUntilAsync(ops, "/api/v1/platform/outbox?status=sent", body => body.GetProperty("total").GetInt32() == 2);
        var requesterEmail = sent.GetProperty("items").EnumerateArray().Single(m => m.GetProperty("recipient").GetString() == Member);
        requesterEmail.GetProperty("template").GetString().ShouldBe("requester_failure");
        requesterEmail.GetProperty("tenant_id").GetString().ShouldBe("acme");
        requesterEmail.GetProperty("workspace_id").GetGuid().ShouldBe(workspaceId);
        requesterEmail.GetProperty("attempts").GetInt32().ShouldBe(1);
        requesterEmail.GetProperty("sent_at").ValueKind.ShouldBe(JsonValueKind.String);
        var id = requesterEmail.GetProperty("id").GetGuid();
        File.Exists(Path.Combine(portal.PickupDirectory, $"{id:N}.eml")).ShouldBeTrue();

        using (var resend = await ops.PostAsync($"/api/v1/platform/outbox/{id}/resend", null, cancellationToken))
        {
            resend.StatusCode.ShouldBe(HttpStatusCode.Accepted);
            var queued = await resend.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
            queued.GetProperty("status").GetString().ShouldBe("pending");
            queued.GetProperty("resends").GetInt32().ShouldBe(1);
        }

        await NotificationsPortal.WaitUntilAsync(ops, "/api/v1/platform/outbox?status=sent", body => body.GetProperty("total").GetInt32() == 2
            && body.GetProperty("items").EnumerateArray().Any(m => m.GetProperty("resends").GetInt32() == 1));
        File.Exists(Path.Combine(portal.PickupDirectory, $"{id:N}-1.eml")).ShouldBeTrue();

        using (var unknown = await ops.PostAsync($"/api/v1/platform/outbox/{Guid.NewGuid()}/resend", null, cancellationToken))
        {
            unknown.StatusCode.ShouldBe(HttpStatusCode.NotFound);
            (await unknown.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("code").GetString().ShouldBe("not_found");
        }

        using (var invalid = await ops.GetAsync("/api/v1/platform/outbox?status=lost", cancellationToken))
        {
            invalid.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
            (await invalid.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("code").GetString().ShouldBe("validation_failed");
        }

        (await ops.GetFromJsonAsync<JsonElement>("/api/v1/platform/outbox?status=failed", cancellationToken)).GetProperty("total").GetInt32().ShouldBe(0);
        (await ops.GetFromJsonAsync<JsonElement>("/api/v1/platform/outbox", cancellationToken)).GetProperty("total").GetInt32().ShouldBe(2);
        foreach (var (client, status) in new[] { (member, HttpStatusCode.Forbidden), (admin, HttpStatusCode.Forbidden), (anonymous, HttpStatusCode.Unauthorized) })
        {
            using var list = await client.GetAsync("/api/v1/platform/outbox", cancellationToken);
            list.StatusCode.ShouldBe(status);
            using var resend = await client.PostAsync($"/api/v1/platform/outbox/{id}/resend", null, cancellationToken);
            resend.StatusCode.ShouldBe(status);
        }
    }
}
