using System.Security.Claims;
using Bunit;
using Bunit.TestDoubles;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Portal.Features.Workspaces;
using Portal.Tests.TestInfrastructure;
using Provisioning.Core.Identity;
using Provisioning.Core.Releases;
using Provisioning.Core.Steps;
using Provisioning.Core.Templates;
using Provisioning.Core.Workspaces;
using static Portal.Tests.TestInfrastructure.WorkspaceViews;

namespace Portal.Tests.Portal.Components.Workspaces;

/// <summary>
/// The live log of a template step on the workspace page (issue 15, point 4): the real log store and live updates of
/// a harness, lines written while the panel is open appear in it without a reload.
/// </summary>
public sealed class StepLogPanelTests
{
    [Fact]
    public async Task ACommandStepsLog_OpensFromTheStepper_AndShowsNewLinesLive()
    {
        await using var harness = await ProvisioningHarness.StartAsync();
        var workspace = await harness.CreateAsync("ubuntu-vm@24.04");
        var log = harness.Services.GetRequiredService<IStepLog>();
        await using (var first = await log.OpenAsync(Context(workspace, "power_on"), "execute"))
        {
            first.Write("stdout", "powering on");
        }

        await using var ctx = BunitPortal.Create();
        ctx.Services.AddSingleton(harness.Services.GetRequiredService<WorkspaceQueries>());
        ctx.Services.AddSingleton(harness.Services.GetRequiredService<IWorkspaceUpdates>());
        ctx.AddAuthorization().SetAuthorized("member@acme.test").SetClaims(
            new Claim(ClaimTypes.NameIdentifier, "member-id"), new Claim(ClaimTypes.Role, nameof(PortalRole.Member)), new Claim(PortalClaims.Tenant, "acme"));
        ctx.SetRendererInfo(new RendererInfo("Server", isInteractive: true));
        var stepper = ctx.Render<WorkspaceStepper>(p => p
            .Add(s => s.WorkspaceId, workspace.Id)
            .Add(s => s.Steps, [Step("validate_request", StepStatus.Success), Step("power_on", StepStatus.Running) with { Kind = StepKinds.Command }]));

        // Only steps that keep a log offer one.
        stepper.FindAll("[data-testid=step-log-toggle]").Count.ShouldBe(1);
        stepper.Find("[data-testid=step-log-toggle]").Click();

        stepper.WaitForAssertion(() => stepper.FindAll("[data-step=power_on] .step-log-line").Select(l => l.TextContent).ShouldBe([$"{T(harness)}powering on"]));
        stepper.Find("[data-testid=step-log-toggle]").GetAttribute("aria-expanded").ShouldBe("true");

        await using (var second = await log.OpenAsync(Context(workspace, "power_on"), "execute"))
        {
            second.Write("stderr", "still warming up");
        }

        stepper.WaitForAssertion(() => stepper.FindAll("[data-step=power_on] .step-log-line").Count.ShouldBe(2));
        stepper.Find("[data-step=power_on] .step-log-stderr").TextContent.ShouldEndWith("still warming up");
        stepper.Find("[data-step=power_on] [data-line='2']").ShouldNotBeNull();

        stepper.Find("[data-testid=step-log-toggle]").Click();
        stepper.FindAll("[data-testid=step-log]").ShouldBeEmpty();
    }

    private static StepContext Context(Workspace workspace, string step) => new(
        workspace.Id, workspace.TenantId, workspace.Name, workspace.Cpu, workspace.MemoryGb,
        new Release("ubuntu-vm", "24.04", "vm", "ubuntu-vm-24.04.json", new string('0', 64), 2, 8), TemplateCatalog.BuiltIn.Single(t => t.Name == "vm"),
        Guid.NewGuid(), step, default, Attempt: 1, RetryCount: 0, StepOutputs.None, CancellationToken.None);

    // The time column: the harness's clock, as the panel shows it.
    private static string T(ProvisioningHarness harness) => harness.Time.GetUtcNow().ToString("HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);
}
