using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Tests.TestInfrastructure;
using Provisioning.Core.Workspaces;
using Provisioning.Core.Persistence;

namespace Portal.Tests.Core.Workspaces;

/// <summary>The detail cache behind <see cref="WorkspaceQueries.GetAsync"/> must never serve what the database no longer says.</summary>
public abstract class WorkspaceDetailCacheTests(DatabaseProvider provider)
{
    [Fact]
    public async Task ARepeatedRead_IsServedFromTheCache_WithoutTheDatabase()
    {
        await using var harness = await ProvisioningHarness.StartAsync(provider: provider);
        var workspace = await harness.CreateAsync("ubuntu-vm@24.04");
        var queries = harness.Services.GetRequiredService<WorkspaceQueries>();

        var first = await queries.GetAsync("acme", workspace.Id, CancellationToken.None);
        var second = await queries.GetAsync("acme", workspace.Id, CancellationToken.None);

        second.ShouldBeSameAs(first);
    }

    [Fact]
    public async Task EveryCommittedChange_IsSeenByTheNextRead()
    {
        await using var harness = await ProvisioningHarness.StartAsync(provider: provider);
        var workspace = await harness.CreateAsync("ubuntu-vm@24.04");
        var queries = harness.Services.GetRequiredService<WorkspaceQueries>();
        (await queries.GetAsync("acme", workspace.Id, CancellationToken.None))!.Status.ShouldBe(WorkspaceStatus.Provisioning);

        await harness.RunAsync(workspace.Id);

        var detail = await queries.GetAsync("acme", workspace.Id, CancellationToken.None);
        detail!.Status.ShouldBe(WorkspaceStatus.Ready);
        detail.Steps.ShouldAllBe(s => s.Status == StepStatus.Success);
    }

    [Fact]
    public async Task AChangeCommittedWhileTheDatabaseWasRead_KeepsThatReadOutOfTheCache()
    {
        await using var harness = await ProvisioningHarness.StartAsync(provider: provider);
        var workspace = await harness.CreateAsync("ubuntu-vm@24.04");
        var cache = harness.Services.GetRequiredService<WorkspaceDetailCache>();
        var queries = harness.Services.GetRequiredService<WorkspaceQueries>();
        var stale = await queries.GetAsync("acme", workspace.Id, CancellationToken.None);

        // A reader takes the generation, reads the old state; the engine commits before the reader stores it.
        var generationBeforeTheRead = cache.Generation(workspace.Id);
        await harness.RunAsync(workspace.Id);
        cache.Store("acme", workspace.Id, generationBeforeTheRead, stale!);

        cache.TryGet("acme", workspace.Id, out _).ShouldBeFalse();
        (await queries.GetAsync("acme", workspace.Id, CancellationToken.None))!.Status.ShouldBe(WorkspaceStatus.Ready);
    }

    [Fact]
    public async Task ACachedWorkspace_IsStillNotFoundForAnotherTenant()
    {
        await using var harness = await ProvisioningHarness.StartAsync(provider: provider);
        var workspace = await harness.CreateAsync("ubuntu-vm@24.04");
        var queries = harness.Services.GetRequiredService<WorkspaceQueries>();
        (await queries.GetAsync("acme", workspace.Id, CancellationToken.None)).ShouldNotBeNull();

        (await queries.GetAsync("globex", workspace.Id, CancellationToken.None)).ShouldBeNull();
    }

    [Fact]
    public async Task AWorkspaceChangedDirectlyInTheDatabase_WithItsEvent_IsSeenByTheNextRead()
    {
        await using var harness = await ProvisioningHarness.StartAsync(provider: provider);
        var workspace = await harness.CreateAsync("ubuntu-vm@24.04");
        var queries = harness.Services.GetRequiredService<WorkspaceQueries>();
        (await queries.GetAsync("acme", workspace.Id, CancellationToken.None))!.Steps[0].Status.ShouldBe(StepStatus.Pending);

        await using (var db = await harness.DbAsync())
        {
            var tracked = await db.Workspaces.Include(w => w.Steps).Include(w => w.Attempts).SingleAsync(w => w.Id == workspace.Id, TestContext.Current.CancellationToken);
            tracked.StartStep(tracked.Steps.OrderBy(s => s.Order).First().Name, harness.Time.GetUtcNow());
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        }

        (await queries.GetAsync("acme", workspace.Id, CancellationToken.None))!.Steps[0].Status.ShouldBe(StepStatus.Running);
    }
}

public sealed class WorkspaceDetailCacheTestsOnSqlite() : WorkspaceDetailCacheTests(DatabaseProvider.Sqlite);

public sealed class WorkspaceDetailCacheTestsOnPostgres() : WorkspaceDetailCacheTests(DatabaseProvider.Postgres);
