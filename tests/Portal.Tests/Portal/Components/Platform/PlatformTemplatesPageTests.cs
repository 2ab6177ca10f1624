using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Portal.Features.Identity;
using Portal.Features.Templates;
using Portal.Health;
using Portal.Tests.TestInfrastructure;
using Provisioning.Core.Engine;
using Provisioning.Core.Identity;
using Provisioning.Core.Infrastructure.Vsphere;
using Provisioning.Core.Templates;

namespace Portal.Tests.Portal.Components.Platform;

/// <summary>The templates page says what each template runs on and whether vSphere answers (issue 16, point 5).</summary>
public sealed class PlatformTemplatesPageTests
{
    [Fact]
    public async Task WithVsphere_TheVmTemplateRunsOnIt_AndThePageSaysWhetherItAnswers()
    {
        await using var vcsim = await VcsimServer.StartAsync();
        await using var harness = await ProvisioningHarness.StartAsync(vcsim.Settings());

        await using (var answering = Render(harness, withVsphere: true, out var page))
        {
            page.WaitForAssertion(() => page.Find("[data-testid=vsphere-answers]").TextContent.ShouldBe("answers"));
            page.Find("[data-testid=vsphere-status]").TextContent.ShouldContain(vcsim.Url.ToString());
            Adapters(page, "vm").ShouldBe(["vsphere"]);
            Adapters(page, "app").ShouldBe(["simulator"]);
        }

        await vcsim.KillAsync();

        await using (var down = Render(harness, withVsphere: true, out var page))
        {
            page.WaitForAssertion(() => page.Find("[data-testid=vsphere-answers]").TextContent.ShouldBe("does not answer"));
            page.Find("[data-testid=vsphere-status]").TextContent.ShouldContain("connection_timeout");
        }
    }

    [Fact]
    public async Task WithoutVsphere_ThePageSaysTheVmTemplateRunsOnTheSimulator()
    {
        await using var harness = await ProvisioningHarness.StartAsync();

        await using var ctx = Render(harness, withVsphere: false, out var page);

        page.WaitForAssertion(() => page.Find("[data-testid=vsphere-status]").TextContent.ShouldContain("vSphere is not configured"));
        Adapters(page, "vm").ShouldBe(["simulator"]);
    }

    private static BunitContext Render(ProvisioningHarness harness, bool withVsphere, out IRenderedComponent<PlatformTemplatesPage> page)
    {
        var (ctx, _) = MudBunit.NewContext(c =>
        {
            c.Services.AddSingleton(harness.Services.GetRequiredService<TemplateCatalog>());
            c.Services.AddSingleton(harness.Services.GetRequiredService<StepCatalog>());
            c.Services.AddSingleton(harness.Services.GetRequiredService<IOptions<VsphereOptions>>());
            var checks = c.Services.AddHealthChecks();
            if (withVsphere)
            {
                checks.AddCheck(VsphereHealthCheck.Name, new VsphereHealthCheck(harness.Services.GetRequiredService<VsphereInfrastructure>()),
                    Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Degraded);
            }

            c.AddAuthorization().SetAuthorized("ops@platform.test").SetRoles(nameof(PortalRole.PlatformAdmin)).SetPolicies(PortalPolicies.PlatformAdmin);
        });
        page = ctx.Render<PlatformTemplatesPage>();
        return ctx;
    }

    private static IReadOnlyList<string?> Adapters(IRenderedComponent<PlatformTemplatesPage> page, string template) =>
        page.Find($"[data-template='{template}']").Closest("tr")!.QuerySelectorAll("[data-adapter]").Select(a => a.GetAttribute("data-adapter")).ToList();
}
