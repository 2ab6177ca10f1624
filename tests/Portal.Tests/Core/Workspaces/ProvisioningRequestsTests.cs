using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Portal.Tests.TestInfrastructure;
using Provisioning.Core.Errors;
using Provisioning.Core.Releases;
using Provisioning.Core.Workspaces;
using Provisioning.Core.Persistence;

namespace Portal.Tests.Core.Workspaces;

public abstract class ProvisioningRequestsTests(DatabaseProvider provider)
{
    [Fact]
    public async Task ConcurrentRetries_StartExactlyOneAttempt()
    {
        await using var harness = await ProvisioningHarness.StartAsync(provider: provider);
        var workspace = await FailedWorkspaceAsync(harness);

        var retries = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ =>
            Task.Run(() => harness.Requests.RetryAsync(workspace.Id, "acme", "member@acme.test", CancellationToken.None))));

        retries.Count(r => r.Accepted).ShouldBe(1);
        retries.Where(r => !r.Accepted).ShouldAllBe(r => r.Refusal == RetryRefusal.ProvisioningInProgress);
        var loaded = await harness.LoadAsync(workspace.Id);
        loaded.Attempts.Count.ShouldBe(2);
        loaded.Attempts.Count(a => a.IsActive).ShouldBe(1);
        loaded.Status.ShouldBe(WorkspaceStatus.Provisioning);
        harness.Queue.Enqueued.Count(id => id == workspace.Id).ShouldBe(2);
    }

    [Fact]
    public async Task TwoConcurrentStarts_TheDatabaseLetsOnlyOneCommit()
    {
        await using var harness = await ProvisioningHarness.StartAsync(provider: provider);
        var workspace = await FailedWorkspaceAsync(harness);
        await using var first = await harness.DbAsync();
        await using var second = await harness.DbAsync();
        var a = (await first.LoadWorkspaceAsync(workspace.Id, CancellationToken.None))!;
        var b = (await second.LoadWorkspaceAsync(workspace.Id, CancellationToken.None))!;

        // Both saw the workspace in error: the code alone would let both start.
        a.StartAttempt(AttemptTrigger.Retry, "one", harness.Time.GetUtcNow());
        b.StartAttempt(AttemptTrigger.Retry, "two", harness.Time.GetUtcNow());
        await first.SaveChangesAsync(TestContext.Current.CancellationToken);
        var refused = await Should.ThrowAsync<DbUpdateException>(() => second.SaveChangesAsync(TestContext.Current.CancellationToken));

        second.IsUniqueViolation(refused).ShouldBeTrue();
        (await harness.LoadAsync(workspace.Id)).Attempts.Count(x => x.IsActive).ShouldBe(1);
    }

    [Fact]
    public async Task ASecondActiveAttempt_IsRefusedByTheIndex_EvenBypassingTheModel()
    {
        await using var harness = await ProvisioningHarness.StartAsync(provider: provider);
        var workspace = await harness.CreateAsync("ubuntu-vm@24.04");
        await using var db = await harness.DbAsync();

        // Columns quoted (PostgreSQL folds unquoted names to lower case); StartedAt as each provider stores it.
        object startedAt = provider == DatabaseProvider.Sqlite ? 0L : harness.Time.GetUtcNow();
        var insert = () => db.Database.ExecuteSqlAsync(
            $"INSERT INTO provisioning_attempts (\"Id\", \"WorkspaceId\", \"Number\", \"Trigger\", \"TriggeredBy\", \"CorrelationId\", \"StartedAt\", \"Phase\") VALUES ({Guid.NewGuid()}, {workspace.Id}, 2, 'Retry', 'sql', {Guid.NewGuid()}, {startedAt}, 'Running')",
            TestContext.Current.CancellationToken);

        var refused = await Should.ThrowAsync<DbException>(insert);
        db.IsUniqueViolation(new DbUpdateException(refused.Message, refused)).ShouldBeTrue(refused.Message);
    }

    [Theory]
    [InlineData(WorkspaceStatus.Provisioning, RetryRefusal.ProvisioningInProgress)]
    [InlineData(WorkspaceStatus.Ready, RetryRefusal.NotInError)]
    public async Task Retry_OutsideError_IsRefused_AndChangesNothing(WorkspaceStatus status, RetryRefusal refusal)
    {
        await using var harness = await ProvisioningHarness.StartAsync(provider: provider);
        var workspace = await harness.CreateAsync("ubuntu-vm@24.04");
        if (status == WorkspaceStatus.Ready)
        {
            await harness.RunAsync(workspace.Id);
        }

        var eventsBefore = (await harness.EventsAsync(workspace.Id)).Count;
        var result = await harness.Requests.RetryAsync(workspace.Id, "acme", "member@acme.test", CancellationToken.None);

        result.Refusal.ShouldBe(refusal);
        (await harness.LoadAsync(workspace.Id)).Status.ShouldBe(status);
        (await harness.EventsAsync(workspace.Id)).Count.ShouldBe(eventsBefore);
    }

    [Fact]
    public async Task Retry_OfAnotherTenantsWorkspace_IsNotFound()
    {
        await using var harness = await ProvisioningHarness.StartAsync(provider: provider);
        var workspace = await FailedWorkspaceAsync(harness);

        var result = await harness.Requests.RetryAsync(workspace.Id, "globex", "member@globex.test", CancellationToken.None);

        result.Refusal.ShouldBe(RetryRefusal.NotFound);
        (await harness.LoadAsync(workspace.Id)).Attempts.Count.ShouldBe(1);
    }

    [Fact]
    public async Task Retry_WhileTheReleaseIsStillMissing_IsRefused_ThenSucceedsOncePublished()
    {
        await using var harness = await ProvisioningHarness.StartAsync(provider: provider);
        var workspace = await harness.CreateAsync("demo-app@2.0.0");
        await harness.RunAsync(workspace.Id);
        harness.Time.Advance(TimeSpan.FromMinutes(1));

        var refused = await harness.Requests.RetryAsync(workspace.Id, "acme", "member@acme.test", CancellationToken.None);

        refused.Refusal.ShouldBe(RetryRefusal.ReleaseUnavailable);
        refused.Error!.Code.ShouldBe(ErrorCatalogue.ReleaseUnavailable);
        var stillFailed = await harness.LoadAsync(workspace.Id);
        stillFailed.Status.ShouldBe(WorkspaceStatus.Error);
        stillFailed.Attempts.Count.ShouldBe(1);
        stillFailed.UpdatedAt.ShouldBe(harness.Time.GetUtcNow());
        (await harness.EventsAsync(workspace.Id)).Last().Type.ShouldBe(WorkspaceEventTypes.RetryRejected);

        await PublishAsync(harness, "demo-app@2.0.0", Path.Combine(AppContext.BaseDirectory, "DemoData", "releases", "demo-app-1.0.0.json"));
        var accepted = await harness.Requests.RetryAsync(workspace.Id, "acme", "member@acme.test", CancellationToken.None);
        accepted.Accepted.ShouldBeTrue();
        await harness.RunAsync(workspace.Id);

        (await harness.LoadAsync(workspace.Id)).Status.ShouldBe(WorkspaceStatus.Ready);
    }

    [Fact]
    public async Task Create_WithAnUnknownRelease_CreatesNothing()
    {
        await using var harness = await ProvisioningHarness.StartAsync(provider: provider);

        var result = await harness.Requests.CreateAsync(new CreateWorkspace("acme", "member@acme.test", "nope", "no-such@1.0.0"), CancellationToken.None);

        result.Refusal.ShouldBe(CreateRefusal.UnknownRelease);
        await using var db = await harness.DbAsync();
        (await db.Workspaces.CountAsync(TestContext.Current.CancellationToken)).ShouldBe(0);
        harness.Queue.Enqueued.ShouldBeEmpty();
    }

    [Fact]
    public async Task Create_UsesTheReleaseDefaultsForSize_AndStartsTheFirstAttempt()
    {
        await using var harness = await ProvisioningHarness.StartAsync(provider: provider);

        var workspace = await harness.CreateAsync("ubuntu-vm@24.04");

        var loaded = await harness.LoadAsync(workspace.Id);
        loaded.Status.ShouldBe(WorkspaceStatus.Provisioning);
        loaded.Size.ShouldBe(new WorkspaceSize(2, 8));
        loaded.Steps.Select(s => s.Name).ShouldBe(["validate_request", "clone_vm", "configure_network", "power_on", "wait_for_guest_tools", "verify_services"]);
        loaded.Steps.ShouldAllBe(s => s.Status == StepStatus.Pending);
        loaded.ActiveAttempt!.Trigger.ShouldBe(AttemptTrigger.Create);
        harness.Queue.Enqueued.ShouldBe([workspace.Id]);
        (await harness.EventsAsync(workspace.Id)).Select(e => e.Type).ShouldBe([WorkspaceEventTypes.Requested, WorkspaceEventTypes.AttemptStarted]);
    }

    private static async Task<Workspace> FailedWorkspaceAsync(ProvisioningHarness harness)
    {
        await harness.AddFaultAsync("clone_vm", ErrorCatalogue.InsufficientResources, times: 1);
        var workspace = await harness.CreateAsync("ubuntu-vm@24.04");
        await harness.RunAsync(workspace.Id);
        (await harness.LoadAsync(workspace.Id)).Status.ShouldBe(WorkspaceStatus.Error);
        return workspace;
    }

    private static async Task PublishAsync(ProvisioningHarness harness, string releaseId, string artifact)
    {
        await using var db = await harness.DbAsync();
        var release = await db.Releases.SingleAsync(r => r.Id == releaseId, TestContext.Current.CancellationToken);
        await using var content = File.OpenRead(artifact);
        var store = (IReleaseStore)harness.Services.GetService(typeof(IReleaseStore))!;
        var (_, mismatch) = await store.PublishAsync(release, content, null, TestContext.Current.CancellationToken);
        mismatch.ShouldBeNull();
        await db.SaveChangesAsync(TestContext.Current.CancellationToken);
    }
}

public sealed class ProvisioningRequestsTestsOnSqlite() : ProvisioningRequestsTests(DatabaseProvider.Sqlite);

public sealed class ProvisioningRequestsTestsOnPostgres() : ProvisioningRequestsTests(DatabaseProvider.Postgres);
