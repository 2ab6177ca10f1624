using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using Portal.Tests.TestInfrastructure;
using Provisioning.Core.Identity;
using Provisioning.Core.Notifications;
using Provisioning.Core.Persistence;
using Provisioning.Core.Workspaces;
using static Portal.Tests.TestInfrastructure.ApiTestExtensions;
using static Portal.Tests.TestInfrastructure.PortalApiFactory;

namespace Portal.Tests.Portal.Api;

/// <summary>
/// Issue 14, invitations: admins invite into their tenant (platform admins into any), the email's link carries a
/// single-use token stored only as a hash, accepting sets a password under Identity's rules and the account signs in;
/// used, replaced, revoked and expired links answer 410; bad input changes nothing. Each test makes a tenant of its own.
/// </summary>
public abstract partial class InvitationsApiTests(PortalApiFactory portal)
{
    private const string AdminPassword = "Invite-admin-pass-1";
    private const string NewPassword = "Accepted-pass-9!";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ATenantAdminsInvitation_IsEmailed_AndItsLinkMakesAnAccountThatSignsIn()
    {
        var (tenant, admin) = await NewTenantAsync();
        using var asAdmin = await ClientAsync(admin);
        var email = $"new.member@{tenant}.test";

        using var created = await asAdmin.PostAsJsonAsync("/api/v1/admin/invitations", new { email, role = "member" }, Ct);

        var invitation = await created.ShouldBeJsonAsync(HttpStatusCode.Created);
        invitation.ShouldBeSnakeCase();
        (invitation.Str("email"), invitation.Str("role"), invitation.Str("tenant"), invitation.Str("status")).ShouldBe((email, "member", tenant, "pending"));
        (invitation.GetProperty("expires_at").GetDateTimeOffset() - invitation.GetProperty("created_at").GetDateTimeOffset()).ShouldBe(TimeSpan.FromDays(7));
        created.Headers.Location!.ToString().ShouldBe($"/api/v1/admin/invitations/{invitation.Str("id")}");

        var token = await DeliverInvitationAsync(email);

        await using (var db = await portal.DbAsync())
        {
            var stored = await db.Invitations.SingleAsync(i => i.Email == email, Ct);
            stored.TokenHash.ShouldBe(Invitation.Hash(token));
            (await db.Outbox.Where(m => m.Recipient == email).Select(m => m.Model).ToListAsync(Ct)).ShouldAllBe(model => !model.Contains(token));
        }

        using var weak = await portal.Anonymous().PostAsJsonAsync("/api/v1/auth/accept-invitation", new { token, password = "short" }, Ct);
        var problem = await weak.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        problem.GetProperty("errors").GetProperty("password")[0].GetString().ShouldNotBeNull().ShouldContain("at least");
        (await UserCountAsync(email)).ShouldBe(0);

        using var accepted = await portal.Anonymous().PostAsJsonAsync("/api/v1/auth/accept-invitation", new { token, password = NewPassword }, Ct);

        var account = await accepted.ShouldBeJsonAsync(HttpStatusCode.OK);
        (account.Str("email"), account.Str("tenant"), account.Str("role")).ShouldBe((email, tenant, "member"));
        using (var login = await portal.Anonymous().PostAsJsonAsync("/api/v1/auth/login", new { email, password = NewPassword }, Ct))
        {
            login.StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        using var again = await portal.Anonymous().PostAsJsonAsync("/api/v1/auth/accept-invitation", new { token, password = NewPassword }, Ct);
        (await again.ShouldBeProblemAsync(HttpStatusCode.Gone, "invitation_used")).Str("detail")!.ShouldContain("accepted already");
        using var reinvite = await asAdmin.PostAsJsonAsync("/api/v1/admin/invitations", new { email, role = "member" }, Ct);
        await reinvite.ShouldBeProblemAsync(HttpStatusCode.Conflict, "account_exists");
        using var users = await asAdmin.GetAsync("/api/v1/admin/users", Ct);
        (await users.ShouldBeJsonAsync(HttpStatusCode.OK)).EnumerateArray().Single(u => u.Str("email") == email).Str("role").ShouldBe("member");
    }

    [Fact]
    public async Task APlatformAdmin_InvitesATenantAdmin_IntoANamedTenant()
    {
        var (tenant, _) = await NewTenantAsync();
        using var ops = await portal.LoginAsync(PlatformOps);
        var email = $"second.admin@{tenant}.test";

        using (var unnamed = await ops.PostAsJsonAsync("/api/v1/admin/invitations", new { email, role = "tenant_admin" }, Ct))
        {
            (await unnamed.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "validation_failed")).GetProperty("errors").TryGetProperty("tenant", out _).ShouldBeTrue();
        }

        using (var unknown = await ops.PostAsJsonAsync("/api/v1/admin/invitations", new { email, role = "tenant_admin", tenant = "no-such-tenant" }, Ct))
        {
            await unknown.ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity, "unknown_tenant");
        }

        using var created = await ops.PostAsJsonAsync("/api/v1/admin/invitations", new { email, role = "tenant_admin", tenant }, Ct);

        (await created.ShouldBeJsonAsync(HttpStatusCode.Created)).Str("tenant").ShouldBe(tenant);
        var token = await DeliverInvitationAsync(email);
        var mail = ReadInvitationEmail(email);
        mail.Subject.ShouldBe($"You are invited to Tenant {tenant} on the Provisioning Portal");
        mail.TextBody.ShouldNotBeNull().ShouldContain($"{PlatformOps} invited you to the Provisioning Portal of Tenant {tenant} as a tenant admin");
        using var accepted = await portal.Anonymous().PostAsJsonAsync("/api/v1/auth/accept-invitation", new { token, password = NewPassword }, Ct);
        (await accepted.ShouldBeJsonAsync(HttpStatusCode.OK)).Str("role").ShouldBe("tenant_admin");
        using var asNewAdmin = await ClientAsync(email, NewPassword);
        (await asNewAdmin.GetAsync("/api/v1/admin/workspaces", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task TenantAdmins_CannotInviteIntoAnotherTenant_AndMembersCannotInviteAtAll()
    {
        var (tenant, admin) = await NewTenantAsync();
        using var asAdmin = await ClientAsync(admin);

        using (var other = await asAdmin.PostAsJsonAsync("/api/v1/admin/invitations", new { email = $"x@{tenant}.test", role = "member", tenant = "acme" }, Ct))
        {
            await other.ShouldBeProblemAsync(HttpStatusCode.Forbidden, "other_tenant");
        }

        using var member = await portal.LoginAsync(AcmeMember);
        using (var refused = await member.PostAsJsonAsync("/api/v1/admin/invitations", new { email = "y@acme.test", role = "member" }, Ct))
        {
            refused.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        }

        (await member.GetAsync("/api/v1/admin/invitations", Ct)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        await using var db = await portal.DbAsync();
        (await db.Invitations.CountAsync(i => i.Email == $"x@{tenant}.test" || i.Email == "y@acme.test", Ct)).ShouldBe(0);
    }

    public static TheoryData<string?, string?, string> BadRequests => new()
    {
        { "someone@initech.test\r\nBcc: everyone@initech.test", "member", "email" },
        { "one@initech.test, two@initech.test", "member", "email" },
        { "one@initech.test;two@initech.test", "member", "email" },
        { "Jane Doe <jane@initech.test>", "member", "email" },
        { "not-an-address", "member", "email" },
        { "", "member", "email" },
        { null, "member", "email" },
        { "ok@initech.test", "platform_admin", "role" },
        { "ok@initech.test", null, "role" },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task BadInvitations_Are400NamingTheField_AndChangeNothing(string? email, string? role, string field)
    {
        var (_, admin) = await NewTenantAsync();
        using var asAdmin = await ClientAsync(admin);
        var before = await InvitationCountAsync();
        var outbox = await OutboxCountAsync();

        using var response = await asAdmin.PostAsJsonAsync("/api/v1/admin/invitations", new { email, role }, Ct);

        (await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "validation_failed")).GetProperty("errors").TryGetProperty(field, out _).ShouldBeTrue();
        (await InvitationCountAsync()).ShouldBe(before);
        (await OutboxCountAsync()).ShouldBe(outbox);
    }

    [Fact]
    public async Task AnUnknownRole_Is400()
    {
        var (tenant, admin) = await NewTenantAsync();
        using var asAdmin = await ClientAsync(admin);

        using var response = await asAdmin.PostAsJsonAsync("/api/v1/admin/invitations", new { email = $"r@{tenant}.test", role = "owner" }, Ct);

        await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task SendingAgain_ReplacesTheLink_RevokingKillsIt_AndBothAre410()
    {
        var (tenant, admin) = await NewTenantAsync();
        using var asAdmin = await ClientAsync(admin);
        var email = $"twice@{tenant}.test";
        using var created = await asAdmin.PostAsJsonAsync("/api/v1/admin/invitations", new { email, role = "member" }, Ct);
        var id = (await created.ShouldBeJsonAsync(HttpStatusCode.Created)).Str("id");
        var first = await DeliverInvitationAsync(email);
        using (var duplicate = await asAdmin.PostAsJsonAsync("/api/v1/admin/invitations", new { email, role = "tenant_admin" }, Ct))
        {
            await duplicate.ShouldBeProblemAsync(HttpStatusCode.Conflict, "already_invited");
        }

        using var resent = await asAdmin.PostEmptyAsync($"/api/v1/admin/invitations/{id}/resend");

        (await resent.ShouldBeJsonAsync(HttpStatusCode.OK)).GetProperty("sends").GetInt32().ShouldBe(2);
        var second = await DeliverInvitationAsync(email, notThis: first);
        using (var old = await portal.Anonymous().PostAsJsonAsync("/api/v1/auth/accept-invitation", new { token = first, password = NewPassword }, Ct))
        {
            await old.ShouldBeProblemAsync(HttpStatusCode.Gone, "invitation_not_valid");
        }

        using (var list = await asAdmin.GetAsync("/api/v1/admin/invitations", Ct))
        {
            (await list.ShouldBeJsonAsync(HttpStatusCode.OK)).EnumerateArray().Single(i => i.Str("id") == id).Str("status").ShouldBe("pending");
        }

        using var revoked = await asAdmin.DeleteAsync($"/api/v1/admin/invitations/{id}", Ct);

        revoked.StatusCode.ShouldBe(HttpStatusCode.NoContent);
        using (var gone = await portal.Anonymous().PostAsJsonAsync("/api/v1/auth/accept-invitation", new { token = second, password = NewPassword }, Ct))
        {
            await gone.ShouldBeProblemAsync(HttpStatusCode.Gone, "invitation_not_valid");
        }

        using (var list = await asAdmin.GetAsync("/api/v1/admin/invitations", Ct))
        {
            (await list.ShouldBeJsonAsync(HttpStatusCode.OK)).EnumerateArray().ShouldNotContain(i => i.Str("id") == id);
        }

        using (var resendRevoked = await asAdmin.PostEmptyAsync($"/api/v1/admin/invitations/{id}/resend"))
        {
            await resendRevoked.ShouldBeProblemAsync(HttpStatusCode.Conflict, "invitation_not_pending");
        }

        (await UserCountAsync(email)).ShouldBe(0);
    }

    [Fact]
    public async Task TwoAdminsInvitingOneAddressAtOnce_MakeOneInvitation()
    {
        var (tenant, admin) = await NewTenantAsync();
        using var asAdmin = await ClientAsync(admin);
        var email = $"both@{tenant}.test";

        var answers = await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
        {
            using var response = await asAdmin.PostAsJsonAsync("/api/v1/admin/invitations", new { email, role = "member" }, Ct);
            return response.StatusCode;
        }));

        answers.Count(a => a == HttpStatusCode.Created).ShouldBe(1);
        answers.Where(a => a != HttpStatusCode.Created).ShouldAllBe(a => a == HttpStatusCode.Conflict);
        await using var db = await portal.DbAsync();
        (await db.Invitations.CountAsync(i => i.Email == email, Ct)).ShouldBe(1);
        (await db.Outbox.CountAsync(m => m.Recipient == email, Ct)).ShouldBe(1);
    }

    [Fact]
    public async Task ANewInvitationForAnAddressWhoseInvitationExpired_ReplacesIt()
    {
        var (tenant, admin) = await NewTenantAsync();
        using var asAdmin = await ClientAsync(admin);
        var email = $"again@{tenant}.test";
        using var first = await asAdmin.PostAsJsonAsync("/api/v1/admin/invitations", new { email, role = "member" }, Ct);
        var oldId = Guid.Parse((await first.ShouldBeJsonAsync(HttpStatusCode.Created)).Str("id")!);
        await using (var db = await portal.DbAsync())
        {
            await db.Invitations.Where(i => i.Id == oldId).ExecuteUpdateAsync(set => set.SetProperty(i => i.ExpiresAt, TimeProvider.System.GetUtcNow().AddMinutes(-1)), Ct);
        }

        using var second = await asAdmin.PostAsJsonAsync("/api/v1/admin/invitations", new { email, role = "tenant_admin" }, Ct);

        (await second.ShouldBeJsonAsync(HttpStatusCode.Created)).Str("role").ShouldBe("tenant_admin");
        await using var after = await portal.DbAsync();
        (await after.Invitations.SingleAsync(i => i.Id == oldId, Ct)).RevokedAt.ShouldNotBeNull();
    }

    [Fact]
    public async Task AnExpiredLink_Is410_UntilTheInvitationIsSentAgain()
    {
        var (tenant, admin) = await NewTenantAsync();
        using var asAdmin = await ClientAsync(admin);
        var email = $"late@{tenant}.test";
        using var created = await asAdmin.PostAsJsonAsync("/api/v1/admin/invitations", new { email, role = "member" }, Ct);
        var id = Guid.Parse((await created.ShouldBeJsonAsync(HttpStatusCode.Created)).Str("id")!);
        var token = await DeliverInvitationAsync(email);
        await using (var db = await portal.DbAsync())
        {
            await db.Invitations.Where(i => i.Id == id).ExecuteUpdateAsync(set => set.SetProperty(i => i.ExpiresAt, TimeProvider.System.GetUtcNow().AddMinutes(-1)), Ct);
        }

        using (var expired = await portal.Anonymous().PostAsJsonAsync("/api/v1/auth/accept-invitation", new { token, password = NewPassword }, Ct))
        {
            (await expired.ShouldBeProblemAsync(HttpStatusCode.Gone, "invitation_expired")).Str("detail")!.ShouldContain("send it again");
        }

        using (var list = await asAdmin.GetAsync("/api/v1/admin/invitations", Ct))
        {
            (await list.ShouldBeJsonAsync(HttpStatusCode.OK)).EnumerateArray().Single(i => i.Str("id") == id.ToString()).Str("status").ShouldBe("expired");
        }

        using var resent = await asAdmin.PostEmptyAsync($"/api/v1/admin/invitations/{id}/resend");
        (await resent.ShouldBeJsonAsync(HttpStatusCode.OK)).Str("status").ShouldBe("pending");
        var fresh = await DeliverInvitationAsync(email, notThis: token);
        using (var again = await asAdmin.PostAsJsonAsync("/api/v1/admin/invitations", new { email, role = "member" }, Ct))
        {
            await again.ShouldBeProblemAsync(HttpStatusCode.Conflict, "already_invited");
        }

        using var accepted = await portal.Anonymous().PostAsJsonAsync("/api/v1/auth/accept-invitation", new { token = fresh, password = NewPassword }, Ct);
        accepted.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task TheAcceptPage_RefusesMismatchedAndWeakPasswordsInline_ThenSignsTheAcceptedPersonIn()
    {
        var (tenant, admin) = await NewTenantAsync();
        using var asAdmin = await ClientAsync(admin);
        var email = $"page@{tenant}.test";
        (await asAdmin.PostAsJsonAsync("/api/v1/admin/invitations", new { email, role = "member" }, Ct)).StatusCode.ShouldBe(HttpStatusCode.Created);
        var token = await DeliverInvitationAsync(email);
        using var browser = portal.Browser();
        var link = $"/account/accept-invitation?token={Uri.EscapeDataString(token)}";

        var (mismatchStatus, mismatch) = await PostAcceptFormAsync(browser, link, NewPassword, NewPassword + "x");
        var (weakStatus, weak) = await PostAcceptFormAsync(browser, link, "short", "short");

        (mismatchStatus, weakStatus).ShouldBe((HttpStatusCode.OK, HttpStatusCode.OK));
        mismatch.ShouldContain("The two passwords are not the same.");
        weak.ShouldContain("Passwords must be at least");
        (await UserCountAsync(email)).ShouldBe(0, "nothing is made until the password passes");

        var (acceptedStatus, _) = await PostAcceptFormAsync(browser, link, NewPassword, NewPassword);

        acceptedStatus.ShouldBe(HttpStatusCode.Redirect, "signed in and sent to the start page");
        (await browser.GetAsync("/api/v1/workspaces", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK, "the page's sign-in cookie works");
        await using var db = await portal.DbAsync();
        (await db.Users.SingleAsync(u => u.Email == email, Ct)).LastSignInAt.ShouldNotBeNull();
    }

    private static async Task<(HttpStatusCode Status, string Body)> PostAcceptFormAsync(HttpClient browser, string link, string password, string confirm)
    {
        var page = await browser.GetStringAsync(link, Ct);
        var form = AcceptForm().Match(page);
        form.Success.ShouldBeTrue("the page offers the password form");
        using var posted = await browser.PostAsync(link, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "accept-invitation",
            ["__RequestVerificationToken"] = WebUtility.HtmlDecode(form.Groups["token"].Value),
            ["Input.Password"] = password,
            ["Input.Confirm"] = confirm,
        }), Ct);
        return (posted.StatusCode, await posted.Content.ReadAsStringAsync(Ct));
    }

    [GeneratedRegex("""name="_handler" value="accept-invitation" />\s*<input type="hidden" name="__RequestVerificationToken" value="(?<token>[^"]+)""")]
    private static partial Regex AcceptForm();

    [Fact]
    public async Task AnInvitationRevokedBeforeItsEmailWent_IsNeverSent()
    {
        var (tenant, admin) = await NewTenantAsync();
        using var asAdmin = await ClientAsync(admin);
        var email = $"withdrawn@{tenant}.test";
        using var created = await asAdmin.PostAsJsonAsync("/api/v1/admin/invitations", new { email, role = "member" }, Ct);
        var id = (await created.ShouldBeJsonAsync(HttpStatusCode.Created)).Str("id");

        (await asAdmin.DeleteAsync($"/api/v1/admin/invitations/{id}", Ct)).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        await portal.Services.GetRequiredService<OutboxDelivery>().DeliverDueAsync(Ct);

        await using var db = await portal.DbAsync();
        var message = await db.Outbox.SingleAsync(m => m.Recipient == email, Ct);
        (message.Status, message.LastError).ShouldBe((OutboxStatus.Failed, $"Rendering failed: ArgumentException: Invitation {id} is revoked: its email is not sent. (Parameter 'message')"));
        (await db.Invitations.SingleAsync(i => i.Email == email, Ct)).TokenHash.ShouldBeNull("no token was ever made");
    }

    [Fact]
    public async Task AcceptingWithoutATokenOrWithAnUnknownOne_IsRefused()
    {
        using var anonymous = portal.Anonymous();

        using (var empty = await anonymous.PostAsJsonAsync("/api/v1/auth/accept-invitation", new { }, Ct))
        {
            var errors = (await empty.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "validation_failed")).GetProperty("errors");
            errors.TryGetProperty("token", out _).ShouldBeTrue();
            errors.TryGetProperty("password", out _).ShouldBeTrue();
        }

        using var unknown = await anonymous.PostAsJsonAsync("/api/v1/auth/accept-invitation", new { token = "made-up-token", password = NewPassword }, Ct);
        await unknown.ShouldBeProblemAsync(HttpStatusCode.Gone, "invitation_not_valid");

        // The page answers the same, in words, with no form to fill in.
        using var page = await anonymous.GetAsync("/account/accept-invitation?token=made-up-token", Ct);
        page.StatusCode.ShouldBe(HttpStatusCode.Gone);
        var html = await page.Content.ReadAsStringAsync(Ct);
        html.ShouldContain("This invitation link does not work");
        html.ShouldNotContain("accept-invitation-password");
    }

    [Fact]
    public async Task AnotherTenantsInvitation_CannotBeSeenResentOrRevoked()
    {
        var (_, admin) = await NewTenantAsync();
        var (otherTenant, otherAdmin) = await NewTenantAsync();
        using var asOther = await ClientAsync(otherAdmin);
        using var created = await asOther.PostAsJsonAsync("/api/v1/admin/invitations", new { email = $"p@{otherTenant}.test", role = "member" }, Ct);
        var id = (await created.ShouldBeJsonAsync(HttpStatusCode.Created)).Str("id");
        using var asAdmin = await ClientAsync(admin);

        using (var list = await asAdmin.GetAsync("/api/v1/admin/invitations?all=true", Ct))
        {
            (await list.ShouldBeJsonAsync(HttpStatusCode.OK)).EnumerateArray().ShouldNotContain(i => i.Str("id") == id);
        }

        await (await asAdmin.PostEmptyAsync($"/api/v1/admin/invitations/{id}/resend")).ShouldBeProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await asAdmin.DeleteAsync($"/api/v1/admin/invitations/{id}", Ct)).ShouldBeProblemAsync(HttpStatusCode.NotFound, "not_found");
        await using var db = await portal.DbAsync();
        (await db.Invitations.SingleAsync(i => i.Id == Guid.Parse(id!), Ct)).RevokedAt.ShouldBeNull();
    }

    /// <summary>Delivers the outbox now and returns the token of the newest invitation email to <paramref name="email"/>.</summary>
    private async Task<string> DeliverInvitationAsync(string email, string? notThis = null)
    {
        await portal.Services.GetRequiredService<OutboxDelivery>().DeliverDueAsync(Ct);
        await using var db = await portal.DbAsync();
        (await db.Outbox.Where(m => m.Recipient == email).AllAsync(m => m.Status == OutboxStatus.Sent, Ct)).ShouldBeTrue("every invitation email was sent");
        var token = InvitationLink().Match(ReadInvitationEmail(email).TextBody ?? "").Groups["token"].Value;
        token.ShouldNotBeNullOrEmpty();
        token.ShouldNotBe(notThis);
        return Uri.UnescapeDataString(token);
    }

    private MimeMessage ReadInvitationEmail(string email) =>
        Directory.GetFiles(Path.Combine(portal.DataDirectory, "mail"), "*.eml")
            .Select(path => MimeMessage.Load(path))
            .Where(m => m.To.Mailboxes.Any(a => a.Address == email))
            .MaxBy(m => m.MessageId) ?? throw new ShouldAssertException($"No email to {email}.");

    private async Task<(string Tenant, string Admin)> NewTenantAsync()
    {
        var tenant = $"inv-{Guid.NewGuid():N}"[..14];
        await using var scope = portal.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ProvisioningDbContext>();
        db.Tenants.Add(new Tenant(tenant, $"Tenant {tenant}"));
        await db.SaveChangesAsync(Ct);
        var admin = $"admin@{tenant}.test";
        var created = await scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>().CreateAsync(
            new PortalUser { UserName = admin, Email = admin, EmailConfirmed = true, TenantId = tenant, Role = PortalRole.TenantAdmin }, AdminPassword);
        created.Succeeded.ShouldBeTrue();
        return (tenant, admin);
    }

    private async Task<HttpClient> ClientAsync(string email, string password = AdminPassword)
    {
        var client = portal.Anonymous();
        using var login = await client.PostAsJsonAsync("/api/v1/auth/login", new { email, password }, Ct);
        client.DefaultRequestHeaders.Authorization = new("Bearer", (await login.ShouldBeJsonAsync(HttpStatusCode.OK)).Str("access_token"));
        return client;
    }

    private async Task<int> InvitationCountAsync()
    {
        await using var db = await portal.DbAsync();
        return await db.Invitations.CountAsync(Ct);
    }

    private async Task<int> UserCountAsync(string email)
    {
        await using var db = await portal.DbAsync();
        return await db.Users.CountAsync(u => u.Email == email, Ct);
    }

    private async Task<int> OutboxCountAsync()
    {
        await using var db = await portal.DbAsync();
        return await db.Outbox.CountAsync(Ct);
    }

    [GeneratedRegex(@"/account/accept-invitation\?token=(?<token>[A-Za-z0-9_%-]+)")]
    private static partial Regex InvitationLink();
}

public sealed class InvitationsApiTestsOnSqlite(PortalApiFactory portal) : InvitationsApiTests(portal), IClassFixture<PortalApiFactory>;

public sealed class InvitationsApiTestsOnPostgres(PostgresPortalApiFactory portal) : InvitationsApiTests(portal), IClassFixture<PostgresPortalApiFactory>;
