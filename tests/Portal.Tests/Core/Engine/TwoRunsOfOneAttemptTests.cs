using Microsoft.EntityFrameworkCore;
using Portal.Tests.TestInfrastructure;
using Provisioning.Core.Persistence;
using Provisioning.Core.Workspaces;

namespace Portal.Tests.Core.Engine;

/// <summary>
/// Two runs of one attempt at once, as when a node is declared dead while it is only slow and another node takes its
/// attempt over: the database lets one of them write each step boundary (the workspace's revision), and the other
/// stops without writing anything more, so no step is recorded as succeeded twice.
/// </summary>
public abstract class TwoRunsOfOneAttemptTests(DatabaseProvider provider)
{
    private const string VmRelease = "ubuntu-vm@24.04";

    [Fact]
    public async Task TheRunThatSavesSecond_IsRefused_AndTheAttemptEndsOnceWithEveryStepOnce()
    {
        await using var harness = await ProvisioningHarness.StartAsync(provider: provider);
        await harness.AddFaultAsync("clone_vm", null, latencyMs: 5000);
        var workspace = await harness.CreateAsync(VmRelease);

        // The first run is inside clone_vm (waiting on the simulator's latency) when the second one reads the workspace,
        // finds clone_vm running as a takeover does, and runs it too.
        var first = harness.Engine.RunAsync(workspace.Id, CancellationToken.None);
        await WaitUntilAsync(async () => (await harness.LoadAsync(workspace.Id)).Step("clone_vm").Status == StepStatus.Running);
        var second = harness.Engine.RunAsync(workspace.Id, CancellationToken.None);
        var both = Task.WhenAll(first, second);
        await harness.Time.DriveAsync(both.ContinueWith(_ => { }, TaskScheduler.Default));

        new[] { first, second }.Count(t => t.IsFaulted && t.Exception!.InnerException is DbUpdateConcurrencyException).ShouldBe(1, string.Join("\n", new[] { first, second }.Select(t => t.Exception?.ToString() ?? "ok")));
        new[] { first, second }.Count(t => t.IsCompletedSuccessfully).ShouldBe(1, string.Join("\n", new[] { first, second }.Select(t => t.Status + " " + t.Exception?.ToString())));
        var loaded = await harness.LoadAsync(workspace.Id);
        loaded.Status.ShouldBe(WorkspaceStatus.Ready);
        var events = await harness.EventsAsync(workspace.Id);
        events.Where(e => e.Type == WorkspaceEventTypes.StepSucceeded).GroupBy(e => e.Payload).Where(g => g.Count() > 1).Select(g => g.Key).ShouldBeEmpty();
        events.Count(e => e.Type == WorkspaceEventTypes.StepSucceeded).ShouldBe(loaded.Steps.Count);
        events.Count(e => e.Type == WorkspaceEventTypes.Succeeded).ShouldBe(1);
        (await harness.Simulator.InventoryAsync(CancellationToken.None)).Count(r => r.WorkspaceId == workspace.Id && r.Kind == "vm" && r.IsActive)
            .ShouldBe(1);
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = TimeProvider.System.GetUtcNow() + TimeSpan.FromSeconds(30);
        while (!await condition())
        {
            TimeProvider.System.GetUtcNow().ShouldBeLessThan(deadline, "the condition did not hold within 30 s");
            await Task.Delay(TimeSpan.FromMilliseconds(20), TimeProvider.System, TestContext.Current.CancellationToken);
        }
    }
}

public sealed class TwoRunsOfOneAttemptTestsOnSqlite() : TwoRunsOfOneAttemptTests(DatabaseProvider.Sqlite);

public sealed class TwoRunsOfOneAttemptTestsOnPostgres() : TwoRunsOfOneAttemptTests(DatabaseProvider.Postgres);
