using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Portal.Tests.TestInfrastructure;
using Provisioning.Core.Errors;
using Provisioning.Core.Simulator;
using Provisioning.Core.Workspaces;
using Provisioning.Core.Persistence;

namespace Portal.Tests.Core.Engine;

public abstract class ProvisioningEngineTests(DatabaseProvider provider)
{
    private const string VmRelease = "ubuntu-vm@24.04";
    private static readonly TimeSpan[] DefaultSchedule = [Seconds(10), Seconds(20), Seconds(40), Seconds(80)];

    [Fact]
    public async Task TransientFailures_AreRetriedOnTheBackoffSchedule_ThenSucceed()
    {
        await using var harness = await ProvisioningHarness.StartAsync(provider: provider);
        await harness.AddFaultAsync("clone_vm", ErrorCatalogue.ServiceUnavailable, times: 4);
        var workspace = await harness.CreateAsync(VmRelease);
        var start = harness.Time.GetUtcNow();

        var waits = await harness.RunAsync(workspace.Id);

        waits.ShouldBe(DefaultSchedule);
        var loaded = await harness.LoadAsync(workspace.Id);
        loaded.Status.ShouldBe(WorkspaceStatus.Ready);
        loaded.Step("clone_vm").RetryCount.ShouldBe(4);
        loaded.Step("clone_vm").NextRetryAt.ShouldBeNull();

        var events = await harness.EventsAsync(workspace.Id);
        var retries = events.Where(e => e.Type == WorkspaceEventTypes.StepRetryScheduled).ToList();
        retries.Select(e => e.OccurredAt - start).ShouldBe([Seconds(0), Seconds(10), Seconds(30), Seconds(70)]);
        retries.Select(e => Payload(e).GetProperty("attempt").GetInt32()).ShouldBe([2, 3, 4, 5]);
        retries.Select(e => Payload(e).GetProperty("next_retry_at").GetDateTimeOffset() - start)
            .ShouldBe([Seconds(10), Seconds(30), Seconds(70), Seconds(150)]);
        events.Single(e => e.Type == WorkspaceEventTypes.StepSucceeded && Payload(e).GetProperty("step").GetString() == "clone_vm")
            .OccurredAt.ShouldBe(start + Seconds(150));

        var retryLogs = harness.Logs.Entries.Where(l => l.Message.Contains("clone_vm failed with transient", StringComparison.Ordinal)).ToList();
        retryLogs.Count.ShouldBe(4);
        retryLogs[0].Message.ShouldContain("try 2/5");
        retryLogs.ShouldAllBe(l => Equals(l.Scope["CorrelationId"], loaded.CorrelationId) && Equals(l.Scope["WorkspaceId"], workspace.Id));
    }

    [Fact]
    public async Task ARetryThatCannotBeSaved_IsTheEnginesFailure_NotTheSteps_AndTheNextRunEndsReady()
    {
        var database = new RetrySaveFailsOnce();
        await using var harness = await ProvisioningHarness.StartAsync(provider: provider, services: s => s.AddSingleton<ISaveChangesInterceptor>(database));
        await harness.AddFaultAsync("clone_vm", ErrorCatalogue.ServiceUnavailable, times: 1);
        var workspace = await harness.CreateAsync(VmRelease);

        // clone_vm fails once (transient); recording its retry meets a database that is gone for a moment.
        await Should.ThrowAsync<DbUpdateException>(() => harness.RunAsync(workspace.Id));

        var interrupted = await harness.LoadAsync(workspace.Id);
        interrupted.Status.ShouldBe(WorkspaceStatus.Provisioning);
        interrupted.Step("clone_vm").Status.ShouldBe(StepStatus.Running);
        (await harness.EventsAsync(workspace.Id)).ShouldNotContain(e => e.Type == WorkspaceEventTypes.StepFailed);

        // The job's resume runs it again: clone_vm succeeds this time, and nothing was failed on the way.
        await harness.RunAsync(workspace.Id);
        (await harness.LoadAsync(workspace.Id)).Status.ShouldBe(WorkspaceStatus.Ready);
        (await harness.EventsAsync(workspace.Id)).ShouldNotContain(e => e.Type == WorkspaceEventTypes.Failed);
    }

    /// <summary>Refuses, once, the save that records a step's retry, before anything of it is written.</summary>
    private sealed class RetrySaveFailsOnce : SaveChangesInterceptor
    {
        private int _failed;

        public override ValueTask<InterceptionResult<int>> SavingChangesAsync(
            DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default) =>
            eventData.Context!.ChangeTracker.Entries<WorkspaceEvent>().Any(e => e.State == EntityState.Added && e.Entity.Type == WorkspaceEventTypes.StepRetryScheduled)
            && Interlocked.Exchange(ref _failed, 1) == 0
                ? throw new DbUpdateException("Simulated: the database went away while the retry was being recorded.")
                : ValueTask.FromResult(result);
    }

    [Fact]
    public async Task Backoff_IsCappedAtMaxDelay()
    {
        await using var harness = await ProvisioningHarness.StartAsync(new Dictionary<string, string?> { ["Provisioning:Retry:MaxAttempts"] = "8" }, provider);
        await harness.AddFaultAsync("configure_network", ErrorCatalogue.NetworkConfigFailed, times: 7);
        var workspace = await harness.CreateAsync(VmRelease);

        var waits = await harness.RunAsync(workspace.Id);

        waits.ShouldBe([.. DefaultSchedule, Seconds(120), Seconds(120), Seconds(120)]);
        (await harness.LoadAsync(workspace.Id)).Status.ShouldBe(WorkspaceStatus.Ready);
    }

    [Fact]
    public async Task TransientFailures_StopAfterFiveAttempts_AndFailTheWorkspace()
    {
        await using var harness = await ProvisioningHarness.StartAsync(provider: provider);
        await harness.AddFaultAsync("clone_vm", ErrorCatalogue.ConnectionTimeout);
        var workspace = await harness.CreateAsync(VmRelease);

        var waits = await harness.RunAsync(workspace.Id);

        waits.ShouldBe(DefaultSchedule);
        var loaded = await harness.LoadAsync(workspace.Id);
        loaded.Status.ShouldBe(WorkspaceStatus.Error);
        loaded.ErrorCode.ShouldBe(ErrorCatalogue.ConnectionTimeout);
        // Nothing will retry any more, so nothing says it will (issue 22, point 1): 10 + 20 + 40 + 80 s of waits.
        loaded.ErrorDetail.ShouldBe(
            "The connection to a platform service kept failing after 5 tries over about 2 minutes. We stopped trying. Press Retry, or try again later.");
        loaded.Step("clone_vm").Status.ShouldBe(StepStatus.Failed);
        loaded.Step("clone_vm").RetryCount.ShouldBe(4);
        loaded.Step("clone_vm").ErrorMessage.ShouldBe(loaded.ErrorDetail);
        var stepFailed = Payload((await harness.EventsAsync(workspace.Id)).Single(e => e.Type == WorkspaceEventTypes.StepFailed));
        stepFailed.GetProperty("error_message").GetString().ShouldBe(loaded.ErrorDetail);
        // While tries remained, it said they would come.
        Payload((await harness.EventsAsync(workspace.Id)).First(e => e.Type == WorkspaceEventTypes.StepRetryScheduled))
            .GetProperty("error_message").GetString().ShouldBe(ErrorCatalogue.Get(ErrorCatalogue.ConnectionTimeout).UserMessage);
        loaded.Attempts.Single().Outcome.ShouldBe(AttemptOutcome.Failed);

        var failed = Payload((await harness.EventsAsync(workspace.Id)).Single(e => e.Type == WorkspaceEventTypes.Failed));
        failed.GetProperty("error_code").GetString().ShouldBe(ErrorCatalogue.ConnectionTimeout);
        failed.GetProperty("error_message").GetString().ShouldBe(loaded.ErrorDetail);
        failed.GetProperty("retry_count").GetInt32().ShouldBe(4);
        failed.GetProperty("last_attempt_at").GetDateTimeOffset().ShouldBe(harness.Time.GetUtcNow());
    }

    [Fact]
    public async Task PermanentError_FailsAtOnce_AndReleasesThePartialVm()
    {
        await using var harness = await ProvisioningHarness.StartAsync(provider: provider);
        await harness.AddFaultAsync("configure_network", ErrorCatalogue.VmConfigInvalid, times: 1);
        var workspace = await harness.CreateAsync(VmRelease);

        var waits = await harness.RunAsync(workspace.Id);

        waits.ShouldBeEmpty();
        var loaded = await harness.LoadAsync(workspace.Id);
        loaded.Status.ShouldBe(WorkspaceStatus.Error);
        loaded.ErrorCode.ShouldBe(ErrorCatalogue.VmConfigInvalid);
        loaded.Step("configure_network").RetryCount.ShouldBe(0);
        loaded.Step("clone_vm").Status.ShouldBe(StepStatus.Pending);
        (await harness.ActiveInventoryAsync(workspace.Id)).ShouldBeEmpty();
        (await harness.ResourcesAsync(workspace.Id)).Single(r => r.Kind == "vm").State.ShouldBe(ResourceState.Released);
        (await harness.EventsAsync(workspace.Id)).ShouldNotContain(e => e.Type == WorkspaceEventTypes.StepRetryScheduled);
    }

    [Fact]
    public async Task FailedAttempt_ReleasesWhatItBuilt_AndRetainsTheTenantDatabase()
    {
        await using var harness = await ProvisioningHarness.StartAsync(provider: provider);
        await harness.Simulator.SetCapacityAsync(1, 1, CancellationToken.None);
        var workspace = await harness.CreateAsync("demo-app@1.0.0");

        await harness.RunAsync(workspace.Id);

        var loaded = await harness.LoadAsync(workspace.Id);
        loaded.Status.ShouldBe(WorkspaceStatus.Error);
        loaded.ErrorCode.ShouldBe(ErrorCatalogue.InsufficientResources);
        loaded.Step("start_runtime").Status.ShouldBe(StepStatus.Failed);
        loaded.Step("create_tenant_database").Status.ShouldBe(StepStatus.Success);
        loaded.Step("create_tenant_schema").Status.ShouldBe(StepStatus.Success);
        loaded.Step("fetch_release").Status.ShouldBe(StepStatus.Pending);
        loaded.Step("register_services").Status.ShouldBe(StepStatus.Pending);

        var resources = await harness.ResourcesAsync(workspace.Id);
        resources.Single(r => r.Kind == "database").State.ShouldBe(ResourceState.Retained);
        resources.Where(r => r.Kind != "database").ShouldAllBe(r => r.State == ResourceState.Released);
        resources.Count(r => r.Kind == "registration").ShouldBe(3);
        (await harness.ActiveInventoryAsync(workspace.Id)).ShouldBeEmpty();
        (await TenantDatabases(harness).ExistsAsync(workspace.Id, CancellationToken.None)).ShouldBeTrue();
    }

    [Fact]
    public async Task Retry_ResumesAtTheFailedStep_ReusingTheRetainedDatabase()
    {
        await using var harness = await ProvisioningHarness.StartAsync(provider: provider);
        await harness.Simulator.SetCapacityAsync(1, 1, CancellationToken.None);
        var workspace = await harness.CreateAsync("demo-app@1.0.0");
        await harness.RunAsync(workspace.Id);
        DateTimeOffset databaseCreatedAt;
        await using (var db = await harness.DbAsync())
        {
            databaseCreatedAt = (await db.TenantDatabases.SingleAsync(d => d.WorkspaceId == workspace.Id, TestContext.Current.CancellationToken)).CreatedAt;
        }

        await harness.Simulator.SetCapacityAsync(64, 256, CancellationToken.None);
        harness.Time.Advance(TimeSpan.FromMinutes(5));
        var retry = await harness.Requests.RetryAsync(workspace.Id, "acme", "member@acme.test", CancellationToken.None);
        retry.Refusal.ShouldBeNull();
        retry.Accepted.ShouldBeTrue();
        await harness.RunAsync(workspace.Id);

        var loaded = await harness.LoadAsync(workspace.Id);
        loaded.Status.ShouldBe(WorkspaceStatus.Ready);
        loaded.Attempts.Count.ShouldBe(2);
        var starts = (await harness.EventsAsync(workspace.Id))
            .Where(e => e.Type == WorkspaceEventTypes.StepStarted)
            .GroupBy(e => Payload(e).GetProperty("step").GetString()!)
            .ToDictionary(g => g.Key, g => g.Count());
        starts["create_tenant_database"].ShouldBe(1);
        starts["create_tenant_schema"].ShouldBe(1);
        starts["fetch_release"].ShouldBe(2);
        starts["start_runtime"].ShouldBe(2);
        await using (var db = await harness.DbAsync())
        {
            (await db.TenantDatabases.SingleAsync(d => d.WorkspaceId == workspace.Id, TestContext.Current.CancellationToken)).CreatedAt.ShouldBe(databaseCreatedAt);
        }

        (await harness.ResourcesAsync(workspace.Id)).Where(r => r.Kind == "database").ShouldAllBe(r => r.State == ResourceState.Active);
        (await harness.ActiveInventoryAsync(workspace.Id)).Count(r => r.Kind == "deployment").ShouldBe(1);
    }

    [Fact]
    public async Task FailingCompensation_OrphansTheResource_LogsCritical_AndRecordsAnEvent()
    {
        await using var harness = await ProvisioningHarness.StartAsync(provider: provider);
        await harness.AddFaultAsync("power_on", ErrorCatalogue.VmConfigInvalid, times: 1);
        await harness.AddFaultAsync("clone_vm", ErrorCatalogue.ServiceUnavailable, times: 1, on: FaultPhase.Compensate);
        var workspace = await harness.CreateAsync(VmRelease);

        await harness.RunAsync(workspace.Id);

        var loaded = await harness.LoadAsync(workspace.Id);
        loaded.Status.ShouldBe(WorkspaceStatus.Error);
        loaded.ErrorCode.ShouldBe(ErrorCatalogue.VmConfigInvalid);
        var vm = (await harness.ResourcesAsync(workspace.Id)).Single(r => r.Kind == "vm");
        vm.State.ShouldBe(ResourceState.Orphaned);
        vm.LastError.ShouldNotBeNull().ShouldContain("service_unavailable");
        (await harness.ActiveInventoryAsync(workspace.Id)).ShouldContain(r => r.Kind == "vm");
        (await harness.ResourcesAsync(workspace.Id)).Single(r => r.Kind == "network").State.ShouldBe(ResourceState.Released);

        var critical = harness.Logs.Entries.Single(l => l.Level == LogLevel.Critical);
        critical.Message.ShouldStartWith("CRITICAL:");
        critical.Scope["CorrelationId"].ShouldBe(loaded.CorrelationId);
        var failedCompensation = (await harness.EventsAsync(workspace.Id)).Single(e => e.Type == WorkspaceEventTypes.CompensationFailed);
        Payload(failedCompensation).GetProperty("step").GetString().ShouldBe("clone_vm");
    }

    [Theory]
    [InlineData("demo-app@2.0.0", ErrorCatalogue.ReleaseUnavailable)]
    [InlineData("demo-app@1.1.0", ErrorCatalogue.ChecksumMismatch)]
    public async Task ReleaseProblems_FailTheFetch_WithTheirCatalogueCode(string release, string code)
    {
        await using var harness = await ProvisioningHarness.StartAsync(provider: provider);
        var workspace = await harness.CreateAsync(release);

        (await harness.RunAsync(workspace.Id)).ShouldBeEmpty();

        var loaded = await harness.LoadAsync(workspace.Id);
        loaded.Status.ShouldBe(WorkspaceStatus.Error);
        loaded.ErrorCode.ShouldBe(code);
        loaded.Step("fetch_release").Status.ShouldBe(StepStatus.Failed);
        // Cleaning up a fetch that copied nothing succeeds: nothing is left for a platform admin.
        (await harness.ResourcesAsync(workspace.Id)).ShouldAllBe(r => r.State == ResourceState.Released);
    }

    [Fact]
    public async Task RuntimeThatNeverAnswers_TimesOutAfterTheReadinessTimeout()
    {
        await using var harness = await ProvisioningHarness.StartAsync(provider: provider);
        var workspace = await harness.CreateAsync("slow-app@1.0.0");

        var waits = await harness.RunAsync(workspace.Id);

        waits.ShouldBe([TimeSpan.FromMinutes(3)]);
        var loaded = await harness.LoadAsync(workspace.Id);
        loaded.ErrorCode.ShouldBe(ErrorCatalogue.RuntimeTimeout);
        (await harness.ActiveInventoryAsync(workspace.Id)).ShouldNotContain(r => r.Kind == "deployment");
    }

    [Fact]
    public async Task Secrets_NeverLandInEventsOrTheWorkspaceRecord()
    {
        await using var harness = await ProvisioningHarness.StartAsync(provider: provider);
        var workspace = await harness.CreateAsync("demo-app@1.0.0");
        await harness.RunAsync(workspace.Id);

        var allocator = harness.Services.GetService(typeof(Provisioning.Core.TenantDatabases.TenantDatabaseAllocator))
            as Provisioning.Core.TenantDatabases.TenantDatabaseAllocator;
        var credentials = await allocator!.FindAsync(workspace.Id, CancellationToken.None);
        credentials.ShouldNotBeNull();
        var everything = string.Join("\n", (await harness.EventsAsync(workspace.Id)).Select(e => e.Payload))
            + JsonSerializer.Serialize(await harness.LoadAsync(workspace.Id));
        everything.ShouldNotContain(credentials.Password);
        await using var db = await harness.DbAsync();
        (await db.TenantDatabases.SingleAsync(d => d.WorkspaceId == workspace.Id, TestContext.Current.CancellationToken)).ProtectedPassword.ShouldNotContain(credentials.Password);
    }

    [Fact]
    public async Task Delete_ReleasesEverything_RetainedDatabaseIncluded_ThenTheNameIsFree()
    {
        await using var harness = await ProvisioningHarness.StartAsync(provider: provider);
        await harness.Simulator.SetCapacityAsync(1, 1, CancellationToken.None);
        var workspace = await harness.CreateAsync("demo-app@1.0.0");
        await harness.RunAsync(workspace.Id);

        var (deleting, refusal) = await harness.Requests.DeleteAsync(workspace.Id, "acme", "member@acme.test", CancellationToken.None);
        refusal.ShouldBeNull();
        deleting!.Status.ShouldBe(WorkspaceStatus.Deprovisioning);
        await harness.RunAsync(workspace.Id);

        (await harness.LoadAsync(workspace.Id)).Status.ShouldBe(WorkspaceStatus.Deleted);
        (await harness.ResourcesAsync(workspace.Id)).ShouldAllBe(r => r.State == ResourceState.Released);
        (await harness.ActiveInventoryAsync(workspace.Id)).ShouldBeEmpty();
        (await TenantDatabases(harness).ExistsAsync(workspace.Id, CancellationToken.None)).ShouldBeFalse();
        (await harness.Requests.IsNameTakenAsync("acme", workspace.Name, CancellationToken.None)).ShouldBeFalse();
    }

    [Fact]
    public async Task RetryCleanup_OfAnOrphan_ReleasesItOnceTheInfrastructureCooperates()
    {
        await using var harness = await ProvisioningHarness.StartAsync(provider: provider);
        var (workspace, orphan) = await OrphanedVmAsync(harness, cleanupFailures: 2);
        var cleanups = harness.Services.GetService(typeof(Provisioning.Core.Engine.OrphanedResources)) as Provisioning.Core.Engine.OrphanedResources;

        var failedAgain = await cleanups!.RetryCleanupAsync(orphan.Id, "ops@platform.test", CancellationToken.None);
        failedAgain!.Value.Error.ShouldNotBeNull();
        (await cleanups.ListAsync(CancellationToken.None)).ShouldHaveSingleItem().ResourceId.ShouldBe(orphan.Id);

        var cleaned = await cleanups.RetryCleanupAsync(orphan.Id, "ops@platform.test", CancellationToken.None);

        cleaned!.Value.Error.ShouldBeNull();
        (await cleanups.ListAsync(CancellationToken.None)).ShouldBeEmpty();
        (await harness.ActiveInventoryAsync(workspace.Id)).ShouldBeEmpty();
        (await harness.EventsAsync(workspace.Id)).Last().Type.ShouldBe(WorkspaceEventTypes.OrphanCleaned);
        (await cleanups.RetryCleanupAsync(orphan.Id, "ops@platform.test", CancellationToken.None)).ShouldBeNull();
    }

    [Fact]
    public async Task RetryCleanup_OfAnOrphanWhoseTemplateIsGone_SaysWhy_AndKeepsItOrphaned()
    {
        await using var harness = await ProvisioningHarness.StartAsync(provider: provider);
        var (_, orphan) = await OrphanedVmAsync(harness, cleanupFailures: 1);
        await using (var db = await harness.DbAsync())
        {
            // As if the release's template file were removed from the templates folder.
            await db.Releases.Where(r => r.Id == VmRelease).ExecuteUpdateAsync(r => r.SetProperty(x => x.Template, "gone"), CancellationToken.None);
        }

        var cleanups = (Provisioning.Core.Engine.OrphanedResources)harness.Services.GetService(typeof(Provisioning.Core.Engine.OrphanedResources))!;
        var result = await cleanups.RetryCleanupAsync(orphan.Id, "ops@platform.test", CancellationToken.None);

        result!.Value.Error.ShouldNotBeNull().ShouldContain("Template 'gone' is not loaded");
        (await cleanups.ListAsync(CancellationToken.None)).ShouldHaveSingleItem().ResourceId.ShouldBe(orphan.Id);
    }

    /// <summary>A vm workspace whose power-on fails and whose VM's cleanup then fails <paramref name="cleanupFailures"/> times: one orphan.</summary>
    private static async Task<(Workspace Workspace, Resource Orphan)> OrphanedVmAsync(ProvisioningHarness harness, int cleanupFailures)
    {
        await harness.AddFaultAsync("power_on", ErrorCatalogue.VmConfigInvalid, times: 1);
        await harness.AddFaultAsync("clone_vm", ErrorCatalogue.ServiceUnavailable, times: cleanupFailures, on: FaultPhase.Compensate);
        var workspace = await harness.CreateAsync(VmRelease);
        await harness.RunAsync(workspace.Id);
        return (workspace, (await harness.ResourcesAsync(workspace.Id)).Single(r => r.State == ResourceState.Orphaned));
    }

    private static TimeSpan Seconds(int seconds) => TimeSpan.FromSeconds(seconds);

    private static Provisioning.Core.TenantDatabases.TenantDatabaseAllocator TenantDatabases(ProvisioningHarness harness) =>
        (Provisioning.Core.TenantDatabases.TenantDatabaseAllocator)harness.Services.GetService(typeof(Provisioning.Core.TenantDatabases.TenantDatabaseAllocator))!;

    private static JsonElement Payload(WorkspaceEvent e) => JsonDocument.Parse(e.Payload).RootElement;
}

public sealed class ProvisioningEngineTestsOnSqlite() : ProvisioningEngineTests(DatabaseProvider.Sqlite);

public sealed class ProvisioningEngineTestsOnPostgres() : ProvisioningEngineTests(DatabaseProvider.Postgres);
