using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Portal.Components.Shared;
using Provisioning.Core.Workspaces;

namespace Portal.Tests.Portal.Components.Shared;

public sealed class LiveRefreshTests
{
    private static readonly Guid Mine = Guid.NewGuid();

    private static WorkspaceChanged Change(Guid workspace, long sequence, string tenant = "acme") =>
        new(workspace, tenant, sequence, WorkspaceEventTypes.StepStarted, DateTimeOffset.UnixEpoch);

    // Stands in for a component's InvokeAsync: runs the work and waits for it.
    private static Task Dispatch(Func<Task> work) => work();

    [Fact]
    public async Task ABurstOfChanges_WhileAReloadRuns_CostsOneMoreReload_NotOnePerChange()
    {
        var updates = new InProcessWorkspaceUpdates(NullLogger<InProcessWorkspaceUpdates>.Instance);
        var firstStarted = new TaskCompletionSource();
        var releaseFirst = new TaskCompletionSource();
        var secondDone = new TaskCompletionSource();
        var reloads = 0;
        using var live = LiveRefresh.Subscribe(updates, "acme", c => c.WorkspaceId == Mine, Dispatch, async () =>
        {
            var n = Interlocked.Increment(ref reloads);
            if (n == 1)
            {
                firstStarted.SetResult();
                await releaseFirst.Task;
            }
            else
            {
                secondDone.TrySetResult();
            }
        }, NullLogger.Instance);

        updates.Publish([Change(Mine, 1)]);
        await firstStarted.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        updates.Publish([Change(Mine, 2), Change(Mine, 3), Change(Mine, 4)]);
        releaseFirst.SetResult();
        await secondDone.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        reloads.ShouldBe(2);
    }

    [Fact]
    public async Task ChangesOfOtherWorkspacesOrTenants_AreIgnored_AndDisposeUnsubscribes()
    {
        var updates = new InProcessWorkspaceUpdates(NullLogger<InProcessWorkspaceUpdates>.Instance);
        var reloaded = new TaskCompletionSource<long>();
        var live = LiveRefresh.Subscribe(updates, "acme", c => c.WorkspaceId == Mine, Dispatch, () =>
        {
            reloaded.TrySetResult(0);
            return Task.CompletedTask;
        }, NullLogger.Instance);

        updates.Publish([Change(Guid.NewGuid(), 1), Change(Mine, 2, tenant: "globex")]);
        updates.SubscriberCount.ShouldBe(1);
        reloaded.Task.IsCompleted.ShouldBeFalse();

        updates.Publish([Change(Mine, 3)]);
        await reloaded.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        live.Dispose();
        updates.SubscriberCount.ShouldBe(0);
    }

    [Fact]
    public async Task WithADelay_EveryTenantsBurst_IsOneReload_OnceTheDelayHasPassed()
    {
        var updates = new InProcessWorkspaceUpdates(NullLogger<InProcessWorkspaceUpdates>.Instance);
        var time = new FakeTimeProvider();
        var reloads = 0;
        var reloaded = new TaskCompletionSource();
        using var live = LiveRefresh.Subscribe(updates, null, _ => true, Dispatch, () =>
        {
            Interlocked.Increment(ref reloads);
            reloaded.TrySetResult();
            return Task.CompletedTask;
        }, NullLogger.Instance, TimeSpan.FromMilliseconds(150), time);

        updates.Publish([Change(Mine, 1), Change(Guid.NewGuid(), 2, tenant: "globex"), Change(Mine, 3)]);
        time.Advance(TimeSpan.FromMilliseconds(149));
        reloads.ShouldBe(0);

        // The drain sets its timer on its own thread: step the clock until it has fired, within a deadline.
        var deadline = TimeProvider.System.GetUtcNow() + TimeSpan.FromSeconds(10);
        while (!reloaded.Task.IsCompleted && TimeProvider.System.GetUtcNow() < deadline)
        {
            time.Advance(TimeSpan.FromMilliseconds(10));
            await Task.WhenAny(reloaded.Task, Task.Delay(TimeSpan.FromMilliseconds(5), TestContext.Current.CancellationToken));
        }

        reloaded.Task.IsCompleted.ShouldBeTrue("a reload once the delay has passed");
        time.Advance(TimeSpan.FromSeconds(1));
        reloads.ShouldBe(1);
    }

    [Fact]
    public async Task AFailedReload_IsReported_AndTheNextChangeReloadsAgain()
    {
        var updates = new InProcessWorkspaceUpdates(NullLogger<InProcessWorkspaceUpdates>.Instance);
        var attempts = 0;
        var recovered = new TaskCompletionSource();
        var failed = new TaskCompletionSource();
        using var live = LiveRefresh.Subscribe(updates, "acme", _ => true, Dispatch, () =>
        {
            if (Interlocked.Increment(ref attempts) == 1)
            {
                failed.SetResult();
                throw new InvalidOperationException("The database is gone for a moment.");
            }

            recovered.TrySetResult();
            return Task.CompletedTask;
        }, NullLogger.Instance);

        updates.Publish([Change(Mine, 1)]);
        await failed.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        // Published again until the failed drain has let go (it ends on its own thread).
        while (!recovered.Task.IsCompleted)
        {
            updates.Publish([Change(Mine, 2)]);
            await Task.WhenAny(recovered.Task, Task.Delay(TimeSpan.FromMilliseconds(20), TestContext.Current.CancellationToken));
        }

        attempts.ShouldBeGreaterThanOrEqualTo(2);
    }
}
