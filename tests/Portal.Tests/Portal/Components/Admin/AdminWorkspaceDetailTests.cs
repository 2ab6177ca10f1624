using Bunit;
using MudBlazor.Services;
using Portal.Features.Admin;
using Provisioning.Core.Workspaces;

namespace Portal.Tests.Portal.Components.Admin;

public sealed class AdminWorkspaceDetailTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 28, 9, 0, 0, TimeSpan.Zero);
    private static readonly Guid FirstCorrelation = Guid.Parse("11111111-1111-1111-1111-111111111111");
    private static readonly Guid SecondCorrelation = Guid.Parse("22222222-2222-2222-2222-222222222222");

    internal static AdminWorkspaceView FailedWorkspace() => new(
        Guid.Parse("0199a000-0000-7000-8000-000000000001"), "billing", "demo-app@2.0.0", WorkspaceStatus.Error, "member@acme.test",
        "release_unavailable", "The release artifact is not available. An administrator has been notified; retry once it is published.",
        "Artifact 'demo-app-2.0.0.json' of release demo-app@2.0.0 is not in the release store.", SecondCorrelation,
        T0, T0.AddMinutes(5),
        [
            new AttemptView(1, AttemptTrigger.Create, "member@acme.test", FirstCorrelation, T0, T0.AddMinutes(1), AttemptOutcome.Failed, "connection_timeout", AttemptPhase.Failed),
            new AttemptView(2, AttemptTrigger.Retry, "admin@acme.test", SecondCorrelation, T0.AddMinutes(4), T0.AddMinutes(5), AttemptOutcome.Failed, "release_unavailable", AttemptPhase.Failed),
        ],
        [
            new AdminStepView("fetch_release", StepStatus.Failed, 3, null, "release_unavailable",
                """{"exception":"ProvisioningException: Artifact 'demo-app-2.0.0.json' missing","attempt":3}""", T0.AddMinutes(4), T0.AddMinutes(5)),
            new AdminStepView("create_tenant_database", StepStatus.Pending, 0, null, null, null, null, null),
        ]);

    [Fact]
    public async Task Failure_ShowsTechnicalDetail_CorrelationId_Attempts_AndStepRetryHistory()
    {
        await using var ctx = new BunitContext();
        ctx.Services.AddMudServices();
        ctx.JSInterop.Mode = JSRuntimeMode.Loose;

        var detail = ctx.Render<AdminWorkspaceDetail>(p => p.Add(d => d.Workspace, FailedWorkspace()));

        detail.Find("[data-testid=error-code]").TextContent.ShouldBe("release_unavailable");
        detail.Find("[data-testid=error-summary]").TextContent.ShouldContain("The release artifact is not available.");
        detail.Find("[data-testid=technical-detail]").TextContent
            .ShouldBe("Artifact 'demo-app-2.0.0.json' of release demo-app@2.0.0 is not in the release store.");
        detail.Find("[data-testid=correlation-id]").TextContent.ShouldBe(SecondCorrelation.ToString());

        var attempts = detail.FindAll("[data-testid=attempts] tbody tr");
        attempts.Count.ShouldBe(2);
        var cells = attempts[1].QuerySelectorAll("td").Select(c => c.TextContent.Trim()).ToArray();
        cells[..5].ShouldBe(["2", "retry", "admin@acme.test", "failed", "Release not available"]);
        attempts[1].QuerySelector("[data-error-code]")!.GetAttribute("data-error-code").ShouldBe("release_unavailable");
        cells[5].ShouldBe("2026-11-28 09:04:00 UTC");
        cells[7].ShouldBe(SecondCorrelation.ToString());
        attempts[0].QuerySelector("[data-error-code]")!.GetAttribute("title").ShouldBe("Error code: connection_timeout");

        var fetch = detail.Find("[data-step=fetch_release]");
        fetch.QuerySelector("[data-testid=retry-count]")!.TextContent.ShouldBe("3");
        fetch.TextContent.ShouldContain("failed");
        fetch.TextContent.ShouldContain("Fetch release");
        fetch.QuerySelector("[data-error-code]")!.GetAttribute("data-error-code").ShouldBe("release_unavailable");
    }

    [Fact]
    public async Task StepErrorDetails_ArePrettyPrintedJson()
    {
        await using var ctx = new BunitContext();
        ctx.Services.AddMudServices();
        ctx.JSInterop.Mode = JSRuntimeMode.Loose;

        var detail = ctx.Render<AdminWorkspaceDetail>(p => p.Add(d => d.Workspace, FailedWorkspace()));

        var json = detail.Find("[data-step-details=fetch_release] [data-testid=error-details]").TextContent;
        json.ShouldBe("""
            {
              "exception": "ProvisioningException: Artifact 'demo-app-2.0.0.json' missing",
              "attempt": 3
            }
            """.ReplaceLineEndings("\n"));
        // A step without error details gets no details row.
        detail.FindAll("[data-step-details=create_tenant_database]").ShouldBeEmpty();
    }

    [Fact]
    public async Task ReadyWorkspace_SaysNoFailure_AndShowsNoTechnicalDetail()
    {
        await using var ctx = new BunitContext();
        ctx.Services.AddMudServices();
        ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        var ready = FailedWorkspace() with
        {
            Status = WorkspaceStatus.Ready, ErrorCode = null, ErrorDetail = null, TechnicalDetail = null, CorrelationId = null,
            Steps = [new AdminStepView("fetch_release", StepStatus.Success, 0, null, null, null, T0, T0.AddSeconds(2))],
        };

        var detail = ctx.Render<AdminWorkspaceDetail>(p => p.Add(d => d.Workspace, ready));

        detail.Markup.ShouldContain("No failure recorded.");
        detail.FindAll("[data-testid=technical-detail], [data-testid=error-summary], [data-step-details]").ShouldBeEmpty();
        detail.Find("[data-testid=correlation-id]").TextContent.ShouldBe("—");
    }

    [Fact]
    public async Task AnAttemptCleaningUpAfterAFailure_SaysSo_WithItsErrorCode()
    {
        await using var ctx = new BunitContext();
        ctx.Services.AddMudServices();
        ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        var compensating = FailedWorkspace() with
        {
            Status = WorkspaceStatus.Provisioning,
            Attempts = [new AttemptView(1, AttemptTrigger.Create, "member@acme.test", FirstCorrelation, T0, null, null, "connection_failed", AttemptPhase.Compensating)],
        };

        var detail = ctx.Render<AdminWorkspaceDetail>(p => p.Add(d => d.Workspace, compensating));

        var cells = detail.Find("[data-attempt='1']").QuerySelectorAll("td").Select(c => c.TextContent.Trim()).ToArray();
        cells[3..5].ShouldBe(["failed, cleaning up", "Sign-in to a system failed"]);
    }
}
