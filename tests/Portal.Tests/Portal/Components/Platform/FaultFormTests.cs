using Bunit;
using Portal.Features.Platform;

namespace Portal.Tests.Portal.Components.Platform;

/// <summary>The fault form checks what the API checks, inline, before anything is sent.</summary>
public sealed class FaultFormTests
{
    private static IRenderedComponent<FaultForm> Render(BunitContext ctx, List<FaultRequest> added) =>
        ctx.Render<FaultForm>(p => p.Add(f => f.OnAdd, (FaultRequest r) => added.Add(r)));

    [Fact]
    public async Task WithoutAStep_ShowsTheStepError_AndAddsNothing()
    {
        var (ctx, _) = MudBunit.NewContext();
        await using var _ctx = ctx;
        var added = new List<FaultRequest>();
        var form = Render(ctx, added);

        form.Button("fault-add").Click();

        form.ErrorUnder("fault-step").ShouldNotBeNull().ShouldStartWith("step must be one of:");
        form.Find("#fault-step").GetAttribute("aria-invalid").ShouldBe("true");
        added.ShouldBeEmpty();
    }

    [Fact]
    public async Task LatencyOnly_WithoutALatency_IsRefusedLikeTheApiDoes()
    {
        var (ctx, popovers) = MudBunit.NewContext();
        await using var _ctx = ctx;
        var added = new List<FaultRequest>();
        var form = Render(ctx, added);
        popovers.Choose(form, "fault-step", "clone_vm");
        popovers.Choose(form, "fault-code", "Latency only (no error)");

        form.Button("fault-add").Click();

        form.ErrorUnder("fault-code").ShouldBe("Give a code, a latency_ms, or both.");
        form.ErrorUnder("fault-step").ShouldBeNull();
        added.ShouldBeEmpty();

        // Giving a latency fixes it, and the error goes as soon as it is corrected.
        form.Enter("fault-latency", "1500");
        form.ErrorUnder("fault-code").ShouldBeNull();
        form.Button("fault-add").Click();
        added.ShouldHaveSingleItem().ShouldBe(new FaultRequest("clone_vm", null, 1, null, 1500, "execute"));
    }

    [Theory]
    [InlineData("fault-times", "0", "times must be between 1 and 1000000.")]
    [InlineData("fault-times", "1000001", "times must be between 1 and 1000000.")]
    [InlineData("fault-probability", "0", "probability must be greater than 0 and at most 1.")]
    [InlineData("fault-probability", "1.5", "probability must be greater than 0 and at most 1.")]
    [InlineData("fault-latency", "-1", "latency_ms must be between 0 and 3600000.")]
    [InlineData("fault-latency", "3600001", "latency_ms must be between 0 and 3600000.")]
    public async Task OutOfRangeNumbers_ShowTheApisMessage_OnTheirField(string field, string value, string message)
    {
        var (ctx, popovers) = MudBunit.NewContext();
        await using var _ctx = ctx;
        var added = new List<FaultRequest>();
        var form = Render(ctx, added);
        popovers.Choose(form, "fault-step", "power_on");

        form.Enter(field, value);
        form.Button("fault-add").Click();

        form.ErrorUnder(field).ShouldBe(message);
        added.ShouldBeEmpty();
    }

    [Fact]
    public async Task AValidFault_OnCompensate_IsAddedAsTheApiWouldTakeIt()
    {
        var (ctx, popovers) = MudBunit.NewContext();
        await using var _ctx = ctx;
        var added = new List<FaultRequest>();
        var form = Render(ctx, added);

        popovers.Choose(form, "fault-step", "clone_vm");
        popovers.Choose(form, "fault-code", "insufficient_resources");
        form.Enter("fault-times", "2");
        form.Enter("fault-probability", "0.5");
        form.Enter("fault-latency", "250");
        form.FindAll("label.mud-radio").Single(l => l.TextContent.Contains("On compensate", StringComparison.Ordinal))
            .QuerySelector("input[type=radio]")!.Click();
        form.Button("fault-add").Click();

        added.ShouldHaveSingleItem().ShouldBe(new FaultRequest("clone_vm", "insufficient_resources", 2, 0.5, 250, "compensate"));
        PlatformRules.CheckFault(added[0], out var phase).ShouldBeEmpty();
        phase.ShouldBe(Provisioning.Core.Simulator.FaultPhase.Compensate);
        form.FindAll(".mud-input-error").ShouldBeEmpty();
    }

    [Fact]
    public async Task TheErrorSelect_OffersLatencyOnly_AndEveryCatalogueCode()
    {
        var (ctx, popovers) = MudBunit.NewContext();
        await using var _ctx = ctx;
        var form = Render(ctx, []);

        form.Find("#fault-code").Closest(".mud-input-control")!.MouseDown();

        var options = popovers.FindAll(".mud-popover-open .mud-list-item").Select(i => i.TextContent.Trim()).ToList();
        options[0].ShouldBe("Latency only (no error)");
        options.Skip(1).ShouldBe(Provisioning.Core.Errors.ErrorCatalogue.All.Select(e => e.Code).Order(StringComparer.Ordinal));
    }
}
