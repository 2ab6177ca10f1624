using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Portal.Tests.TestInfrastructure;
using Provisioning.Core.Workspaces;
using Provisioning.Core.Persistence;

namespace Portal.Tests.Core.Workspaces;

public abstract class WorkspaceUpdatesTests(DatabaseProvider provider)
{
    [Fact]
    public async Task CommittedEvents_ArePublished_InOrder_ToTheirTenantOnly()
    {
        await using var harness = await ProvisioningHarness.StartAsync(provider: provider);
        var updates = harness.Services.GetRequiredService<IWorkspaceUpdates>();
        var acme = new ConcurrentQueue<WorkspaceChanged>();
        var globex = new ConcurrentQueue<WorkspaceChanged>();
        using var acmeSubscription = updates.Subscribe("acme", acme.Enqueue);
        using var globexSubscription = updates.Subscribe("globex", globex.Enqueue);

        var workspace = await harness.CreateAsync("ubuntu-vm@24.04");
        await harness.RunAsync(workspace.Id);

        var stored = await harness.EventsAsync(workspace.Id);
        acme.Select(c => c.Sequence).ShouldBe(stored.Select(e => e.Sequence));
        // One commit ends a step and starts the next: the events still read in the order things happened.
        stored.Select(e => e.Type).Skip(2).Take(4).ShouldBe(
            [WorkspaceEventTypes.StepStarted, WorkspaceEventTypes.StepSucceeded, WorkspaceEventTypes.StepStarted, WorkspaceEventTypes.StepSucceeded]);
        acme.Last().Type.ShouldBe(WorkspaceEventTypes.Succeeded);
        acme.ShouldAllBe(c => c.WorkspaceId == workspace.Id && c.TenantId == "acme");
        globex.ShouldBeEmpty();
    }

    [Fact]
    public async Task ASaveThatFails_PublishesNothing()
    {
        await using var harness = await ProvisioningHarness.StartAsync(provider: provider);
        await harness.AddFaultAsync("clone_vm", Provisioning.Core.Errors.ErrorCatalogue.InsufficientResources, times: 1);
        var workspace = await harness.CreateAsync("ubuntu-vm@24.04");
        await harness.RunAsync(workspace.Id);
        var updates = harness.Services.GetRequiredService<IWorkspaceUpdates>();
        var seen = new ConcurrentQueue<WorkspaceChanged>();
        using var subscription = updates.Subscribe(null, seen.Enqueue);
        await using var first = await harness.DbAsync();
        await using var second = await harness.DbAsync();
        (await first.LoadWorkspaceAsync(workspace.Id, CancellationToken.None))!.StartAttempt(AttemptTrigger.Retry, "a", harness.Time.GetUtcNow());
        (await second.LoadWorkspaceAsync(workspace.Id, CancellationToken.None))!.StartAttempt(AttemptTrigger.Retry, "b", harness.Time.GetUtcNow());
        await first.SaveChangesAsync(TestContext.Current.CancellationToken);
        seen.Count.ShouldBe(1);

        await Should.ThrowAsync<Microsoft.EntityFrameworkCore.DbUpdateException>(() => second.SaveChangesAsync(TestContext.Current.CancellationToken));

        seen.Count.ShouldBe(1);
    }
}

public sealed class WorkspaceUpdatesTestsOnSqlite() : WorkspaceUpdatesTests(DatabaseProvider.Sqlite);

public sealed class WorkspaceUpdatesTestsOnPostgres() : WorkspaceUpdatesTests(DatabaseProvider.Postgres);
