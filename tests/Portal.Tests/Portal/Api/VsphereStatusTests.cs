using System.Net;
using Portal.Tests.TestInfrastructure;
using static Portal.Tests.TestInfrastructure.ApiTestExtensions;
using static Portal.Tests.TestInfrastructure.PortalApiFactory;

namespace Portal.Tests.Portal.Api;

/// <summary>
/// Issue 16, point 5: with vSphere configured, the templates API says the vm template runs on it, and <c>/health</c>
/// carries a <c>vsphere</c> check — detail for platform admins only, degraded (not down) when vCenter does not answer.
/// </summary>
public abstract class VsphereStatusTests<TPortal> : IAsyncLifetime
    where TPortal : PortalApiFactory, new()
{
    private readonly TPortal _portal = new();
    private VcsimServer _vcsim = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _vcsim = await VcsimServer.StartAsync();
        foreach (var (key, value) in _vcsim.Settings())
        {
            _portal.Settings[key] = value;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _portal.DisposeAsync();
        await _vcsim.DisposeAsync();
    }

    [Fact]
    public async Task TheVmTemplate_RunsOnVsphere_TheAppTemplateOnTheSimulator()
    {
        using var ops = await _portal.LoginAsync(PlatformOps);

        using var response = await ops.GetAsync("/api/v1/platform/templates", Ct);

        var templates = (await response.ShouldBeJsonAsync(HttpStatusCode.OK)).EnumerateArray()
            .ToDictionary(t => t.Str("name")!, t => t.GetProperty("adapters").EnumerateArray().Select(a => a.GetString()).ToList());
        templates["vm"].ShouldBe(["vsphere"]);
        templates["app"].ShouldBe(["simulator"]);
    }

    [Fact]
    public async Task Health_ShowsVsphere_ToPlatformAdmins_AndStaysUpWhenVcenterIsDown()
    {
        using var ops = await _portal.LoginAsync(PlatformOps);
        using var member = await _portal.LoginAsync(AcmeMember);
        using var anonymous = _portal.Anonymous();

        var detail = await (await ops.GetAsync("/health", Ct)).ShouldBeJsonAsync(HttpStatusCode.OK);
        detail.Str("status").ShouldBe("Healthy");
        var vsphere = detail.GetProperty("checks").GetProperty("vsphere");
        vsphere.Str("status").ShouldBe("Healthy");
        vsphere.Str("description").ShouldNotBeNull().ShouldContain(_vcsim.Url.ToString());
        foreach (var other in new[] { member, anonymous })
        {
            using var plain = await other.GetAsync("/health", Ct);
            plain.StatusCode.ShouldBe(HttpStatusCode.OK);
            (await plain.Content.ReadAsStringAsync(Ct)).ShouldBe("Healthy");
        }

        await _vcsim.KillAsync();

        using var down = await ops.GetAsync("/health", Ct);
        var degraded = await down.ShouldBeJsonAsync(HttpStatusCode.OK);
        degraded.Str("status").ShouldBe("Degraded");
        var check = degraded.GetProperty("checks").GetProperty("vsphere");
        check.Str("status").ShouldBe("Degraded");
        check.Str("description").ShouldNotBeNull().ShouldContain("does not answer (connection_timeout)");
        (await (await anonymous.GetAsync("/health", Ct)).Content.ReadAsStringAsync(Ct)).ShouldBe("Degraded");
    }
}

public sealed class VsphereStatusTestsOnSqlite : VsphereStatusTests<PortalApiFactory>;

public sealed class VsphereStatusTestsOnPostgres : VsphereStatusTests<PostgresPortalApiFactory>;
