using System.Net;
using System.Security.Claims;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Portal.Features.Identity;
using Portal.Tests.TestInfrastructure;
using Provisioning.Core.Identity;
using static Portal.Tests.TestInfrastructure.ApiTestExtensions;
using static Portal.Tests.TestInfrastructure.PortalApiFactory;

namespace Portal.Tests.Portal.Api;

/// <summary>
/// Issue 14, tenants: platform admins create, list, rename and deactivate them; a deactivated tenant's users can no
/// longer sign in or refresh their tokens, and its workspaces are kept. Bad input changes nothing.
/// </summary>
public abstract class TenantsApiTests(PortalApiFactory portal)
{
    private const string UserPassword = "Tenant-user-pass-1";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Create_Returns201_ThenTheTenantIsListed_AndCanBeRenamed()
    {
        using var ops = await portal.LoginAsync(PlatformOps);
        var id = NewId("initech");

        using var created = await ops.PostAsJsonAsync("/api/v1/platform/tenants", new { id, name = "Initech" }, Ct);

        var tenant = await created.ShouldBeJsonAsync(HttpStatusCode.Created);
        tenant.ShouldBeSnakeCase();
        created.Headers.Location!.ToString().ShouldBe($"/api/v1/platform/tenants/{id}");
        (tenant.Str("id"), tenant.Str("name"), tenant.GetProperty("active").GetBoolean(), tenant.GetProperty("users").GetInt32()).ShouldBe((id, "Initech", true, 0));
        using (var list = await ops.GetAsync("/api/v1/platform/tenants", Ct))
        {
            var all = (await list.ShouldBeJsonAsync(HttpStatusCode.OK)).EnumerateArray().ToList();
            all.ShouldContain(t => t.Str("id") == id);
            all.Single(t => t.Str("id") == "acme").GetProperty("users").GetInt32().ShouldBe(2);
        }

        using var renamed = await ops.PatchAsJsonAsync($"/api/v1/platform/tenants/{id}", new { name = "  Initech Corporation " }, Ct);

        (await renamed.ShouldBeJsonAsync(HttpStatusCode.OK)).Str("name").ShouldBe("Initech Corporation");
        using var read = await ops.GetAsync($"/api/v1/platform/tenants/{id}", Ct);
        (await read.ShouldBeJsonAsync(HttpStatusCode.OK)).Str("name").ShouldBe("Initech Corporation");
    }

    public static TheoryData<string, string?, string> BadTenants => new()
    {
        { "Initech", "Initech", "id" },
        { "-initech", "Initech", "id" },
        { "i", "Initech", "id" },
        { "initech_corp", "Initech", "id" },
        { new string('a', 41), "Initech", "id" },
        { "initech-ok", "", "name" },
        { "initech-ok", null, "name" },
        { "initech-ok", "Init\r\nech", "name" },
        { "initech-ok", new string('n', 201), "name" },
    };

    [Theory]
    [MemberData(nameof(BadTenants))]
    public async Task Create_WithABadIdOrName_Returns400NamingTheField_AndCreatesNothing(string id, string? name, string field)
    {
        using var ops = await portal.LoginAsync(PlatformOps);
        var before = await TenantIdsAsync(ops);

        using var response = await ops.PostAsJsonAsync("/api/v1/platform/tenants", new { id, name }, Ct);

        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        problem.GetProperty("errors").TryGetProperty(field, out _).ShouldBeTrue(problem.ToString());
        (await TenantIdsAsync(ops)).ShouldBe(before);
    }

    [Fact]
    public async Task Create_ATenantThatExists_Returns409_AndChangesNothing()
    {
        using var ops = await portal.LoginAsync(PlatformOps);

        using var response = await ops.PostAsJsonAsync("/api/v1/platform/tenants", new { id = "acme", name = "Not Acme" }, Ct);

        await response.ShouldBeProblemAsync(HttpStatusCode.Conflict, "tenant_exists");
        using var acme = await ops.GetAsync("/api/v1/platform/tenants/acme", Ct);
        (await acme.ShouldBeJsonAsync(HttpStatusCode.OK)).Str("name").ShouldBe("Acme Corporation");
    }

    [Fact]
    public async Task Change_OfATenantThatDoesNotExist_Is404_AndAnEmptyChangeIs400()
    {
        using var ops = await portal.LoginAsync(PlatformOps);

        using var missing = await ops.PatchAsJsonAsync("/api/v1/platform/tenants/no-such-tenant", new { name = "X" }, Ct);
        await missing.ShouldBeProblemAsync(HttpStatusCode.NotFound, "not_found");
        using var empty = await ops.PatchAsJsonAsync("/api/v1/platform/tenants/acme", new { }, Ct);
        await empty.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
    }

    [Theory]
    [InlineData(AcmeMember)]
    [InlineData(AcmeAdmin)]
    public async Task TenantsAreForPlatformAdminsOnly(string caller)
    {
        using var client = await portal.LoginAsync(caller);

        using var list = await client.GetAsync("/api/v1/platform/tenants", Ct);
        list.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        using var create = await client.PostAsJsonAsync("/api/v1/platform/tenants", new { id = NewId("sneaky"), name = "Sneaky" }, Ct);
        create.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Deactivate_StopsItsUsersSigningInAndRefreshing_KeepsItsWorkspaces_AndReactivateLetsThemBack()
    {
        using var ops = await portal.LoginAsync(PlatformOps);
        var id = NewId("globo");
        using (var created = await ops.PostAsJsonAsync("/api/v1/platform/tenants", new { id, name = "Globo Gym" }, Ct))
        {
            created.StatusCode.ShouldBe(HttpStatusCode.Created);
        }

        var email = $"member@{id}.test";
        await AddUserAsync(email, id);
        var (access, refresh) = await SignInAsync(email, UserPassword, HttpStatusCode.OK);
        var circuitUser = await PrincipalOfAsync(email);
        (await CircuitIsCurrentAsync(circuitUser)).ShouldBeTrue();
        using (var member = portal.Anonymous())
        {
            member.DefaultRequestHeaders.Authorization = new("Bearer", access);
            using var workspace = await member.CreateWorkspaceAsync($"gym-{Guid.NewGuid():N}"[..12], "demo-app@1.0.0");
            workspace.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        }

        (await RefreshAsync(refresh!)).ShouldBe(HttpStatusCode.OK);

        using var deactivated = await ops.PatchAsJsonAsync($"/api/v1/platform/tenants/{id}", new { active = false }, Ct);

        var tenant = await deactivated.ShouldBeJsonAsync(HttpStatusCode.OK);
        tenant.GetProperty("active").GetBoolean().ShouldBeFalse();
        tenant.GetProperty("deactivated_at").GetDateTimeOffset().ShouldBeGreaterThan(DateTimeOffset.MinValue);
        tenant.GetProperty("workspaces").GetInt32().ShouldBe(1, "its workspaces are kept");
        await SignInAsync(email, UserPassword, HttpStatusCode.Unauthorized);
        await SignInAsync(email, "Wrong-password-9", HttpStatusCode.Unauthorized);
        (await RefreshAsync(refresh!)).ShouldBe(HttpStatusCode.Unauthorized);
        (await CircuitIsCurrentAsync(circuitUser)).ShouldBeFalse("an open page of the tenant ends at its next revalidation");

        using var reactivated = await ops.PatchAsJsonAsync($"/api/v1/platform/tenants/{id}", new { active = true }, Ct);

        (await reactivated.ShouldBeJsonAsync(HttpStatusCode.OK)).GetProperty("active").GetBoolean().ShouldBeTrue();
        await SignInAsync(email, UserPassword, HttpStatusCode.OK);
    }

    private async Task AddUserAsync(string email, string tenant)
    {
        await using var scope = portal.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        var created = await users.CreateAsync(
            new PortalUser { UserName = email, Email = email, EmailConfirmed = true, TenantId = tenant, Role = PortalRole.Member }, UserPassword);
        created.Succeeded.ShouldBeTrue(string.Join(" ", created.Errors.Select(e => e.Description)));
    }

    private async Task<ClaimsPrincipal> PrincipalOfAsync(string email)
    {
        await using var scope = portal.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        return await scope.ServiceProvider.GetRequiredService<IUserClaimsPrincipalFactory<PortalUser>>().CreateAsync((await users.FindByEmailAsync(email))!);
    }

    /// <summary>What a live page's periodic revalidation decides for this user.</summary>
    private async Task<bool> CircuitIsCurrentAsync(ClaimsPrincipal user)
    {
        await using var scope = portal.Services.CreateAsyncScope();
        var circuits = (RevalidatingIdentityAuthenticationStateProvider)scope.ServiceProvider.GetRequiredService<AuthenticationStateProvider>();
        return await circuits.IsCurrentAsync(user);
    }

    private async Task<(string? Access, string? Refresh)> SignInAsync(string email, string password, HttpStatusCode expected)
    {
        using var client = portal.Anonymous();
        using var response = await client.PostAsJsonAsync("/api/v1/auth/login", new { email, password }, Ct);
        response.StatusCode.ShouldBe(expected);
        if (expected != HttpStatusCode.OK)
        {
            return (null, null);
        }

        var tokens = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        return (tokens.Str("access_token"), tokens.Str("refresh_token"));
    }

    private async Task<HttpStatusCode> RefreshAsync(string refreshToken)
    {
        using var client = portal.Anonymous();
        using var response = await client.PostAsJsonAsync("/api/v1/auth/refresh", new { refresh_token = refreshToken }, Ct);
        return response.StatusCode;
    }

    private static async Task<List<string>> TenantIdsAsync(HttpClient ops)
    {
        using var response = await ops.GetAsync("/api/v1/platform/tenants", Ct);
        return [.. (await response.ShouldBeJsonAsync(HttpStatusCode.OK)).EnumerateArray().Select(t => t.Str("id")!)];
    }

    private static string NewId(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..20];
}

public sealed class TenantsApiTestsOnSqlite(PortalApiFactory portal) : TenantsApiTests(portal), IClassFixture<PortalApiFactory>;

public sealed class TenantsApiTestsOnPostgres(PostgresPortalApiFactory portal) : TenantsApiTests(portal), IClassFixture<PostgresPortalApiFactory>;
