using System.Security.Claims;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Portal.Features.Identity;
using Portal.Features.Platform;
using Portal.Tests.TestInfrastructure;
using Provisioning.Core.Identity;
using Provisioning.Core.Releases;
using Provisioning.Core.Templates;

namespace Portal.Tests.Portal.Components.Platform;

/// <summary>The platform admin makes a release from the releases page (issue 15, point 5), on the real catalog.</summary>
public sealed class PlatformReleasesPageTests
{
    [Fact]
    public async Task ANewRelease_IsCheckedBesideItsFields_ThenCreated_AndListedForItsArtifact()
    {
        await using var harness = await ProvisioningHarness.StartAsync();
        var (ctx, popovers) = MudBunit.NewContext(c =>
        {
            c.Services.AddSingleton(harness.Services.GetRequiredService<ReleaseCatalog>());
            c.Services.AddSingleton(harness.Services.GetRequiredService<TemplateCatalog>());
            c.AddAuthorization().SetAuthorized("ops@platform.test").SetRoles(nameof(PortalRole.PlatformAdmin))
                .SetClaims(new Claim(ClaimTypes.NameIdentifier, "ops-id")).SetPolicies(PortalPolicies.PlatformAdmin);
        });
        await using var _ = ctx;
        var page = ctx.Render<PlatformReleasesPage>();
        page.WaitForAssertion(() => page.FindAll("[data-release-id]").ShouldNotBeEmpty());

        // Nothing filled in: every required field says what it needs, and nothing is created.
        page.Find("#new-release-create").Click();
        page.WaitForAssertion(() => page.Markup.ShouldContain("name must be lowercase letters"));
        page.Markup.ShouldContain("template is required");
        (await harness.Services.GetRequiredService<ReleaseCatalog>().ListAsync(Xunit.TestContext.Current.CancellationToken, includeRetired: true))
            .ShouldNotContain(r => r.Name == "billing");

        page.Enter("new-release-name", "billing");
        page.Enter("new-release-version", "3.0.0");
        popovers.Choose(page, "new-release-template", "app");
        page.Enter("new-release-description", "Billing, third edition");
        page.Enter("new-release-source", "registry.example/billing:3.0.0");
        page.Find("#new-release-create").Click();

        page.WaitForAssertion(() => page.FindAll("[data-release-id='billing@3.0.0']").Count.ShouldBe(1));
        var row = page.Find("[data-release-id='billing@3.0.0']").ParentElement!;
        row.QuerySelector("[data-testid=release-description]")!.TextContent.ShouldBe("Billing, third edition");
        row.QuerySelector("[data-testid=release-source]")!.TextContent.ShouldBe("from registry.example/billing:3.0.0");
        var created = await harness.Services.GetRequiredService<ReleaseCatalog>().FindAsync("billing@3.0.0", Xunit.TestContext.Current.CancellationToken);
        created.ShouldNotBeNull().Template.ShouldBe("app");
        created.Available.ShouldBeFalse();
        (created.DefaultCpu, created.DefaultMemoryGb).ShouldBe((1, 2));

        // The same again is refused in place.
        page.Enter("new-release-name", "billing");
        page.Enter("new-release-version", "3.0.0");
        popovers.Choose(page, "new-release-template", "app");
        page.Find("#new-release-create").Click();
        page.WaitForAssertion(() => page.Find("#new-release-refusal").TextContent.ShouldContain("billing@3.0.0 already exists"));
    }
}
