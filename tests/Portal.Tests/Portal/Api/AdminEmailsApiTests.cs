using System.Net;
using System.Text.Json;
using Portal.Tests.TestInfrastructure;
using Provisioning.Core.Notifications;
using static Portal.Tests.TestInfrastructure.ApiTestExtensions;
using static Portal.Tests.TestInfrastructure.OutboxRows;
using static Portal.Tests.TestInfrastructure.PortalApiFactory;

namespace Portal.Tests.Portal.Api;

/// <summary>
/// <c>GET /api/v1/admin/emails</c>: a tenant admin's sent emails for scripts, always the caller's own tenant, with the
/// outbox's validation. One portal for the class; each test seeds its own emails and looks for them by id.
/// </summary>
public abstract class AdminEmailsApiTests(PortalApiFactory portal)
{
    private const string Emails = "/api/v1/admin/emails";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>acme: sent, failed, pending; globex: failed, sent. A minute apart, ending a minute ago.</summary>
    private async Task<(OutboxMessage[] Acme, OutboxMessage[] Globex)> SeedTwoTenantsAsync()
    {
        // Whole seconds, so what the database gives back compares equal.
        var t0 = DateTimeOffset.FromUnixTimeSeconds(TimeProvider.System.GetUtcNow().ToUnixTimeSeconds()).AddMinutes(-6);
        var tag = Guid.NewGuid().ToString("N")[..8];
        OutboxMessage[] acme =
        [
            Email("acme", "member@acme.test", $"{tag} acme sent", t0, OutboxStatus.Sent, Guid.NewGuid()),
            Email("acme", "admin@acme.test", $"{tag} acme failed", t0.AddMinutes(1), OutboxStatus.Failed, Guid.NewGuid()),
            Email("acme", "member@acme.test", $"{tag} acme pending", t0.AddMinutes(2), OutboxStatus.Pending),
        ];
        OutboxMessage[] globex =
        [
            Email("globex", "member@globex.test", $"{tag} globex failed", t0.AddMinutes(3), OutboxStatus.Failed),
            Email("globex", "member@globex.test", $"{tag} globex sent", t0.AddMinutes(4), OutboxStatus.Sent),
        ];
        await SaveAsync(await portal.DbAsync(), [.. acme, .. globex]);
        return (acme, globex);
    }

    private static async Task<List<JsonElement>> ItemsAsync(HttpResponseMessage response) =>
        (await response.ShouldBeJsonAsync(HttpStatusCode.OK)).GetProperty("items").EnumerateArray().ToList();

    [Fact]
    public async Task TenantAdmin_Gets200_WithTheirTenantsEmailsOnly_NewestFirst_InSnakeCase()
    {
        var (acme, globex) = await SeedTwoTenantsAsync();
        using var admin = await portal.LoginAsync(AcmeAdmin);

        using var response = await admin.GetAsync($"{Emails}?page_size=100", Ct);

        var page = await response.ShouldBeJsonAsync(HttpStatusCode.OK);
        page.ShouldBeSnakeCase();
        page.GetProperty("page").GetInt32().ShouldBe(1);
        page.GetProperty("page_size").GetInt32().ShouldBe(100);
        var items = page.GetProperty("items").EnumerateArray().ToList();
        items.ShouldAllBe(m => m.Str("tenant_id") == "acme");
        var ids = items.Select(m => m.GetProperty("id").GetGuid()).ToList();
        ids.Where(acme.Select(m => m.Id).Contains).ShouldBe(acme.Select(m => m.Id).Reverse());
        ids.ShouldNotContain(id => globex.Select(m => m.Id).Contains(id));
        await using (var db = await portal.DbAsync())
        {
            page.GetProperty("total").GetInt32().ShouldBe(db.Outbox.Count(m => m.TenantId == "acme"));
        }

        var failed = items.Single(m => m.GetProperty("id").GetGuid() == acme[1].Id);
        failed.Str("recipient").ShouldBe("admin@acme.test");
        failed.Str("subject").ShouldBe(acme[1].Subject);
        failed.Str("template").ShouldBe(EmailTemplates.RequesterFailure);
        failed.Str("status").ShouldBe("failed");
        failed.GetProperty("attempts").GetInt32().ShouldBe(1);
        failed.Str("last_error").ShouldBe(Refused);
        failed.GetProperty("workspace_id").GetGuid().ShouldBe(acme[1].WorkspaceId!.Value);
        failed.GetProperty("created_at").GetDateTimeOffset().ShouldBe(acme[1].CreatedAt);
        failed.GetProperty("sent_at").ValueKind.ShouldBe(JsonValueKind.Null);
        items.Single(m => m.GetProperty("id").GetGuid() == acme[0].Id).GetProperty("sent_at").GetDateTimeOffset().ShouldBe(acme[0].SentAt!.Value);
    }

    [Fact]
    public async Task Status_Filters_WithinTheCallersTenant()
    {
        var (acme, globex) = await SeedTwoTenantsAsync();
        using var admin = await portal.LoginAsync(AcmeAdmin);

        using var response = await admin.GetAsync($"{Emails}?status=failed&page_size=100", Ct);

        var items = await ItemsAsync(response);
        items.ShouldAllBe(m => m.Str("status") == "failed" && m.Str("tenant_id") == "acme");
        items.Select(m => m.GetProperty("id").GetGuid()).ShouldContain(acme[1].Id);
        items.Select(m => m.GetProperty("id").GetGuid()).ShouldNotContain(globex[0].Id);
    }

    [Theory]
    [InlineData("tenant_id=globex")]
    [InlineData("tenant=globex")]
    [InlineData("tenant_id=")]
    public async Task ATenantInTheQuery_IsIgnored_TheTenantIsTheCallers(string query)
    {
        var (_, globex) = await SeedTwoTenantsAsync();
        using var admin = await portal.LoginAsync(AcmeAdmin);

        using var response = await admin.GetAsync($"{Emails}?{query}&page_size=100", Ct);

        var items = await ItemsAsync(response);
        items.ShouldNotBeEmpty();
        items.ShouldAllBe(m => m.Str("tenant_id") == "acme");
        items.Select(m => m.GetProperty("id").GetGuid()).ShouldNotContain(id => globex.Select(g => g.Id).Contains(id));
    }

    [Fact]
    public async Task EmailsOfARealFailure_ReachTheTenantsAdmin_AndAnotherTenantsFailureNeverDoes()
    {
        using var acmeMember = await portal.LoginAsync(AcmeMember);
        using var globexMember = await portal.LoginAsync(GlobexMember);
        using var admin = await portal.LoginAsync(AcmeAdmin);
        var acmeWorkspace = await acmeMember.CreateAcceptedAsync("demo-app@2.0.0", UniqueName("mail"));
        var globexWorkspace = await globexMember.CreateAcceptedAsync("demo-app@2.0.0", UniqueName("mail"));
        await WaitForStatusAsync(acmeMember, acmeWorkspace, "error");
        await WaitForStatusAsync(globexMember, globexWorkspace, "error");

        using var response = await admin.GetAsync($"{Emails}?page_size=100", Ct);

        var items = await ItemsAsync(response);
        var aboutAcme = items.Where(m => m.Str("workspace_id") == acmeWorkspace.ToString()).ToList();
        aboutAcme.Select(m => m.Str("recipient")).ShouldBe([AcmeMember, AcmeAdmin], ignoreOrder: true);
        aboutAcme.Select(m => m.Str("template")).ShouldBe([EmailTemplates.RequesterFailure, EmailTemplates.TenantAdminFailure], ignoreOrder: true);
        items.ShouldNotContain(m => m.Str("workspace_id") == globexWorkspace.ToString());
        items.ShouldNotContain(m => m.Str("recipient") == GlobexMember);
        await using var db = await portal.DbAsync();
        db.Outbox.Count(m => m.WorkspaceId == globexWorkspace).ShouldBe(1);
    }

    [Theory]
    [InlineData(AcmeMember)]
    [InlineData(GlobexMember)]
    [InlineData(PlatformOps)]
    public async Task AnyoneButATenantAdmin_Gets403(string email)
    {
        using var client = await portal.LoginAsync(email);

        using var response = await client.GetAsync(Emails, Ct);

        await response.ShouldBeProblemAsync(HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task WithoutAToken_Gets401()
    {
        using var client = portal.Anonymous();

        using var response = await client.GetAsync(Emails, Ct);

        await response.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
        response.Headers.Location.ShouldBeNull();
    }

    [Theory]
    [InlineData("status=lost", "status")]
    [InlineData("status=SENT", "status")]
    [InlineData("status=1", "status")]
    [InlineData("status=sent%00", "status")]
    [InlineData("page=0", "page")]
    [InlineData("page=-3", "page")]
    [InlineData("page_size=0", "page_size")]
    [InlineData("page_size=101", "page_size")]
    public async Task ABadFilterOrPage_Gets400ValidationProblem_NamingTheField(string query, string field)
    {
        using var admin = await portal.LoginAsync(AcmeAdmin);

        using var response = await admin.GetAsync($"{Emails}?{query}", Ct);

        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        problem.GetProperty("errors").EnumerateObject().Select(e => e.Name).ShouldBe([field]);
    }

    [Fact]
    public async Task BadStatus_IsWordedAsOnThePlatformsOutbox()
    {
        using var admin = await portal.LoginAsync(AcmeAdmin);
        using var ops = await portal.LoginAsync(PlatformOps);

        using var mine = await admin.GetAsync($"{Emails}?status=lost", Ct);
        using var platform = await ops.GetAsync("/api/v1/platform/outbox?status=lost", Ct);

        var expected = (await platform.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "validation_failed")).GetProperty("errors").GetRawText();
        (await mine.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "validation_failed")).GetProperty("errors").GetRawText().ShouldBe(expected);
    }

    [Fact]
    public async Task APageFarBeyondTheEnd_IsAnEmptyPage_NotAnError()
    {
        await SeedTwoTenantsAsync();
        using var admin = await portal.LoginAsync(AcmeAdmin);

        using var response = await admin.GetAsync($"{Emails}?page=2147483647&page_size=100", Ct);

        var page = await response.ShouldBeJsonAsync(HttpStatusCode.OK);
        page.GetProperty("items").GetArrayLength().ShouldBe(0);
        page.GetProperty("page").GetInt32().ShouldBe(int.MaxValue);
        page.GetProperty("total").GetInt32().ShouldBeGreaterThanOrEqualTo(3);
    }

    [Fact]
    public async Task OpenApiDocument_DescribesTheRoute()
    {
        using var client = portal.Anonymous();

        using var response = await client.GetAsync("/openapi/v1.json", Ct);

        var document = await response.ShouldBeJsonAsync(HttpStatusCode.OK);
        var route = document.GetProperty("paths").GetProperty(Emails).GetProperty("get");
        route.GetProperty("parameters").EnumerateArray().Select(p => p.Str("name")).ShouldBe(["status", "page", "page_size"], ignoreOrder: true);
    }
}

public sealed class AdminEmailsApiTestsOnSqlite(PortalApiFactory portal) : AdminEmailsApiTests(portal), IClassFixture<PortalApiFactory>;

public sealed class AdminEmailsApiTestsOnPostgres(PostgresPortalApiFactory portal) : AdminEmailsApiTests(portal), IClassFixture<PostgresPortalApiFactory>;
