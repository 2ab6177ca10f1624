using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Portal.Tests.TestInfrastructure;
using Provisioning.Core.Identity;
using Provisioning.Core.Persistence;
using Provisioning.Core.Workspaces;
using static Portal.Tests.TestInfrastructure.ApiTestExtensions;
using static Portal.Tests.TestInfrastructure.PortalApiFactory;

namespace Portal.Tests.Portal.Api;

/// <summary>
/// Issue 14, users: tenant admins manage their tenant's people, platform admins everyone's; a disabled user cannot sign
/// in and their live tokens stop working; a role change ends the old role's tokens; the last tenant admin cannot step
/// down; members get 403. Each test makes a tenant of its own, so the demo users stay as they are.
/// </summary>
public abstract class UsersApiTests(PortalApiFactory portal)
{
    private const string Password = "Users-api-pass-1";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ATenantAdmin_SeesTheirTenantsUsersOnly_APlatformAdminSeesAll_AndMembersGet403()
    {
        var (tenant, admin, member) = await NewTenantAsync();
        using var asAdmin = await ClientAsync(admin.Email!);

        using var mine = await asAdmin.GetAsync("/api/v1/admin/users", Ct);

        var users = (await mine.ShouldBeJsonAsync(HttpStatusCode.OK)).EnumerateArray().ToList();
        users.Select(u => u.Str("email")).ShouldBe([admin.Email, member.Email], ignoreOrder: true);
        users.ShouldAllBe(u => u.Str("tenant") == tenant);
        users.Single(u => u.Str("email") == member.Email).Str("role").ShouldBe("member");
        users.Single(u => u.Str("email") == admin.Email).Str("role").ShouldBe("tenant_admin");
        users.Single(u => u.Str("email") == admin.Email).GetProperty("last_sign_in_at").ValueKind.ShouldBe(JsonValueKind.String);
        users.Single(u => u.Str("email") == member.Email).GetProperty("disabled").GetBoolean().ShouldBeFalse();

        using var ops = await portal.LoginAsync(PlatformOps);
        using var all = await ops.GetAsync("/api/v1/admin/users", Ct);
        var everyone = (await all.ShouldBeJsonAsync(HttpStatusCode.OK)).EnumerateArray().Select(u => u.Str("email")).ToList();
        everyone.ShouldContain(member.Email);
        everyone.ShouldContain(AcmeMember);
        using var filtered = await ops.GetAsync($"/api/v1/admin/users?tenant={tenant}", Ct);
        (await filtered.ShouldBeJsonAsync(HttpStatusCode.OK)).GetArrayLength().ShouldBe(2);

        using var asMember = await ClientAsync(member.Email!);
        using var refused = await asMember.GetAsync("/api/v1/admin/users", Ct);
        refused.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        using var patch = await asMember.PatchAsJsonAsync($"/api/v1/admin/users/{admin.Id}", new { disabled = true }, Ct);
        patch.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Disabling_StopsTheUsersLiveTokenAndSignIn_AndEnablingLetsThemBack()
    {
        var (_, admin, member) = await NewTenantAsync();
        using var asAdmin = await ClientAsync(admin.Email!);
        using var asMember = await ClientAsync(member.Email!);
        (await asMember.GetAsync("/api/v1/workspaces", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);

        using var disabled = await asAdmin.PatchAsJsonAsync($"/api/v1/admin/users/{member.Id}", new { disabled = true }, Ct);

        (await disabled.ShouldBeJsonAsync(HttpStatusCode.OK)).GetProperty("disabled").GetBoolean().ShouldBeTrue();
        using (var live = await asMember.GetAsync("/api/v1/workspaces", Ct))
        {
            await live.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "session_ended");
        }

        (await SignInStatusAsync(member.Email!)).ShouldBe(HttpStatusCode.Unauthorized);

        using var enabled = await asAdmin.PatchAsJsonAsync($"/api/v1/admin/users/{member.Id}", new { disabled = false }, Ct);

        (await enabled.ShouldBeJsonAsync(HttpStatusCode.OK)).GetProperty("disabled").GetBoolean().ShouldBeFalse();
        (await SignInStatusAsync(member.Email!)).ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Promoting_AMember_EndsTheTokenOfTheOldRole_AndANewSignInCarriesTheNewOne()
    {
        var (_, admin, member) = await NewTenantAsync();
        using var asAdmin = await ClientAsync(admin.Email!);
        using var asMember = await ClientAsync(member.Email!);
        (await asMember.GetAsync("/api/v1/admin/workspaces", Ct)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);

        using var promoted = await asAdmin.PatchAsJsonAsync($"/api/v1/admin/users/{member.Id}", new { role = "tenant_admin" }, Ct);

        (await promoted.ShouldBeJsonAsync(HttpStatusCode.OK)).Str("role").ShouldBe("tenant_admin");
        (await asMember.GetAsync("/api/v1/admin/workspaces", Ct)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        using var again = await ClientAsync(member.Email!);
        (await again.GetAsync("/api/v1/admin/workspaces", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task TheLastTenantAdmin_CannotStepDownOrDisableThemselves_ButCanOnceThereIsAnother()
    {
        var (_, admin, member) = await NewTenantAsync();
        using var asAdmin = await ClientAsync(admin.Email!);

        using (var demote = await asAdmin.PatchAsJsonAsync($"/api/v1/admin/users/{admin.Id}", new { role = "member" }, Ct))
        {
            await demote.ShouldBeProblemAsync(HttpStatusCode.Conflict, "last_tenant_admin");
        }

        using (var disable = await asAdmin.PatchAsJsonAsync($"/api/v1/admin/users/{admin.Id}", new { disabled = true }, Ct))
        {
            await disable.ShouldBeProblemAsync(HttpStatusCode.Conflict, "last_tenant_admin");
        }

        (await asAdmin.GetAsync("/api/v1/admin/users", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK, "nothing changed: the token still works");

        using (var promote = await asAdmin.PatchAsJsonAsync($"/api/v1/admin/users/{member.Id}", new { role = "tenant_admin" }, Ct))
        {
            promote.StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        using var stepDown = await asAdmin.PatchAsJsonAsync($"/api/v1/admin/users/{admin.Id}", new { role = "member" }, Ct);
        (await stepDown.ShouldBeJsonAsync(HttpStatusCode.OK)).Str("role").ShouldBe("member");
    }

    [Fact]
    public async Task BadChanges_AreRefused_AndChangeNothing()
    {
        var (_, admin, member) = await NewTenantAsync();
        using var asAdmin = await ClientAsync(admin.Email!);

        using (var empty = await asAdmin.PatchAsJsonAsync($"/api/v1/admin/users/{member.Id}", new { }, Ct))
        {
            await empty.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        }

        using (var platform = await asAdmin.PatchAsJsonAsync($"/api/v1/admin/users/{member.Id}", new { role = "platform_admin" }, Ct))
        {
            (await platform.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "validation_failed")).GetProperty("errors").TryGetProperty("role", out _).ShouldBeTrue();
        }

        using (var unknownRole = await asAdmin.PatchAsJsonAsync($"/api/v1/admin/users/{member.Id}", new { role = "owner" }, Ct))
        {
            unknownRole.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        }

        var acmeMemberId = await UserIdAsync(AcmeMember);
        using (var otherTenant = await asAdmin.PatchAsJsonAsync($"/api/v1/admin/users/{acmeMemberId}", new { disabled = true }, Ct))
        {
            await otherTenant.ShouldBeProblemAsync(HttpStatusCode.NotFound, "not_found");
        }

        using var ops = await portal.LoginAsync(PlatformOps);
        using (var platformAdmin = await ops.PatchAsJsonAsync($"/api/v1/admin/users/{await UserIdAsync(PlatformOps)}", new { disabled = true }, Ct))
        {
            await platformAdmin.ShouldBeProblemAsync(HttpStatusCode.Forbidden, "platform_admin");
        }

        using var list = await asAdmin.GetAsync("/api/v1/admin/users", Ct);
        var view = (await list.ShouldBeJsonAsync(HttpStatusCode.OK)).EnumerateArray().Single(u => u.Str("id") == member.Id);
        (view.Str("role"), view.GetProperty("disabled").GetBoolean()).ShouldBe(("member", false));
        (await SignInStatusAsync(AcmeMember, PortalApiFactory.Password)).ShouldBe(HttpStatusCode.OK);
    }

    /// <summary>A tenant of its own with one tenant admin and one member, both able to sign in.</summary>
    private async Task<(string Tenant, PortalUser Admin, PortalUser Member)> NewTenantAsync()
    {
        var tenant = $"users-{Guid.NewGuid():N}"[..16];
        await using var scope = portal.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ProvisioningDbContext>();
        db.Tenants.Add(new Tenant(tenant, $"Tenant {tenant}"));
        await db.SaveChangesAsync(Ct);
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        var admin = new PortalUser { UserName = $"admin@{tenant}.test", Email = $"admin@{tenant}.test", EmailConfirmed = true, TenantId = tenant, Role = PortalRole.TenantAdmin };
        var member = new PortalUser { UserName = $"member@{tenant}.test", Email = $"member@{tenant}.test", EmailConfirmed = true, TenantId = tenant, Role = PortalRole.Member };
        foreach (var user in new[] { admin, member })
        {
            (await users.CreateAsync(user, Password)).Succeeded.ShouldBeTrue();
        }

        return (tenant, admin, member);
    }

    private async Task<HttpClient> ClientAsync(string email)
    {
        var client = portal.Anonymous();
        using var login = await client.PostAsJsonAsync("/api/v1/auth/login", new { email, password = Password }, Ct);
        var token = (await login.ShouldBeJsonAsync(HttpStatusCode.OK)).Str("access_token");
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private async Task<HttpStatusCode> SignInStatusAsync(string email, string password = Password)
    {
        using var client = portal.Anonymous();
        using var login = await client.PostAsJsonAsync("/api/v1/auth/login", new { email, password }, Ct);
        return login.StatusCode;
    }

    private async Task<string> UserIdAsync(string email)
    {
        await using var scope = portal.Services.CreateAsyncScope();
        return (await scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>().FindByEmailAsync(email))!.Id;
    }
}

public sealed class UsersApiTestsOnSqlite(PortalApiFactory portal) : UsersApiTests(portal), IClassFixture<PortalApiFactory>;

public sealed class UsersApiTestsOnPostgres(PostgresPortalApiFactory portal) : UsersApiTests(portal), IClassFixture<PostgresPortalApiFactory>;
