using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;
using Portal.Tests.TestInfrastructure;
using Provisioning.Core.Errors;
using Provisioning.Core.Persistence;
using Provisioning.Core.Workspaces;

namespace Portal.Tests.Core.Persistence;

/// <summary>
/// Workspaces that a portal before the attempt's phase existed left wedged (stopped during the cleanup of a failed
/// attempt, issue 20) are freed by the migration: their attempt goes on compensating from the failed step.
/// </summary>
public sealed class AttemptPhaseMigrationTests
{
    private const string BeforeAttemptPhase = "20261128031832_SimulatorCapacityInUse";

    [Fact]
    public async Task AnAttemptStoppedMidCleanup_BeforeTheMigration_ResumesCompensating_AndEndsInError()
    {
        await using var harness = await ProvisioningHarness.StartAsync(new Dictionary<string, string?> { [CommitHold.Setting] = "hold-" });
        await harness.AddFaultAsync("start_runtime", ErrorCatalogue.ConnectionFailed);
        var ct = TestContext.Current.CancellationToken;

        // Stopped after its 10th commit: start_runtime failed and generate_api_keys is released already.
        var id = (await harness.Requests.CreateAsync(new CreateWorkspace("acme", "member@acme.test", "hold-10-legacy", "demo-app@1.0.0", 1, 1), ct)).Workspace!.Id;
        using (var stop = new CancellationTokenSource())
        {
            var run = harness.Engine.RunAsync(id, stop.Token);
            await harness.Services.GetRequiredService<CommitHold>().WhenHeldAsync("hold-10-legacy").WaitAsync(TimeSpan.FromSeconds(30), ct);
            await stop.CancelAsync();
            await Should.ThrowAsync<TaskCanceledException>(run);
        }

        // The same data as the old schema holds it, then migrated forward again.
        await using (var db = await harness.DbAsync())
        {
            var migrator = db.GetService<IMigrator>();
            await migrator.MigrateAsync(BeforeAttemptPhase, cancellationToken: ct);
            (await db.Database.SqlQuery<string>($"SELECT Outcome AS Value FROM provisioning_attempts").ToListAsync(ct)).ShouldBe([null!]);
            await migrator.MigrateAsync(cancellationToken: ct);
        }

        var migrated = (await harness.LoadAsync(id)).ActiveAttempt!;
        migrated.Phase.ShouldBe(AttemptPhase.Compensating);
        migrated.FailedStep.ShouldBe("start_runtime");
        migrated.CompensatingStep.ShouldBe("start_runtime");
        migrated.ErrorCode.ShouldBe(ErrorCatalogue.ConnectionFailed);
        migrated.TechnicalDetail.ShouldNotBeNull().ShouldContain("Simulated fault on start_runtime");

        await harness.RunAsync(id);

        var workspace = await harness.LoadAsync(id);
        workspace.Status.ShouldBe(WorkspaceStatus.Error);
        workspace.ErrorCode.ShouldBe(ErrorCatalogue.ConnectionFailed);
        workspace.ErrorTechnicalDetail.ShouldBe(migrated.TechnicalDetail);
        var events = await harness.EventsAsync(id);
        events.Count(e => e.Type == WorkspaceEventTypes.Failed).ShouldBe(1);
        events.ShouldNotContain(e => e.Type == WorkspaceEventTypes.StepStarted && e.Payload.Contains("verify_services"));
        var resources = (await harness.ResourcesAsync(id)).Select(r => $"{r.Step} {r.Kind} {r.State}").Order().ToList();
        resources.ShouldContain("create_tenant_database database Retained");
        resources.Where(r => !r.StartsWith("create_tenant_database", StringComparison.Ordinal)).ShouldAllBe(r => r.EndsWith(" Released", StringComparison.Ordinal));
        (await harness.ActiveInventoryAsync(id)).ShouldBeEmpty();
    }
}
