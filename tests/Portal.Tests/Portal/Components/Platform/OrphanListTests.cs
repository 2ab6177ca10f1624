using Bunit;
using Portal.Features.Platform;
using Provisioning.Core.Engine;

namespace Portal.Tests.Portal.Components.Platform;

public sealed class OrphanListTests
{
    private static readonly OrphanView Orphan = new(
        Guid.Parse("0199a000-0000-7000-8000-0000000000aa"), Guid.NewGuid(), "acme", "billing", "clone_vm", "vm", "vm-billing-1",
        "Simulated fault on clone_vm (compensate): service_unavailable.", new DateTimeOffset(2026, 11, 28, 9, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task ShowsEachOrphan_WithItsLastError_AndRetryCleanupCallsBack()
    {
        var (ctx, _) = MudBunit.NewContext();
        await using var _ctx = ctx;
        var retried = new List<OrphanView>();
        var list = ctx.Render<OrphanList>(p => p.Add(l => l.Orphans, [Orphan]).Add(l => l.OnRetryCleanup, (OrphanView o) => retried.Add(o)));

        list.Find("[data-testid=orphan-error]").TextContent.ShouldBe("Simulated fault on clone_vm (compensate): service_unavailable.");
        list.Markup.ShouldContain("vm-billing-1");
        var button = list.Find("button");
        button.GetAttribute("aria-label").ShouldBe("Retry cleanup of vm vm-billing-1");

        button.Click();

        retried.ShouldHaveSingleItem().ShouldBe(Orphan);
    }

    [Fact]
    public async Task WhileCleaningUp_TheButtonShowsItsLoadingState_AndAFailureShowsTheNewError()
    {
        var (ctx, _) = MudBunit.NewContext();
        await using var _ctx = ctx;

        var list = ctx.Render<OrphanList>(p => p
            .Add(l => l.Orphans, [Orphan])
            .Add(l => l.Busy, new HashSet<Guid> { Orphan.ResourceId })
            .Add(l => l.Errors, new Dictionary<Guid, string> { [Orphan.ResourceId] = "Still failing: datastore locked." }));

        var button = list.Find("button");
        button.HasAttribute("disabled").ShouldBeTrue();
        button.GetAttribute("aria-busy").ShouldBe("true");
        button.TextContent.ShouldContain("Cleaning up…");
        list.Find("[data-testid=orphan-error]").TextContent.ShouldBe("Still failing: datastore locked.");
    }

    [Fact]
    public async Task NoOrphans_SaysSo()
    {
        var (ctx, _) = MudBunit.NewContext();
        await using var _ctx = ctx;

        var list = ctx.Render<OrphanList>(p => p.Add(l => l.Orphans, []));

        list.Find("[data-testid=no-orphans]").TextContent.ShouldStartWith("No orphaned resources");
    }
}
