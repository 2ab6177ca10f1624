using Bunit;
using Portal.Features.Platform;

namespace Portal.Tests.Portal.Components.Platform;

public sealed class CapacityPanelTests
{
    private static readonly CapacityView Capacity = new(Cpu: 64, MemoryGb: 256, UsedCpu: 48, UsedMemoryGb: 64, FreeCpu: 16, FreeMemoryGb: 192);

    [Fact]
    public async Task ShowsUsedAndFree_AsTextAndBars()
    {
        var (ctx, _) = MudBunit.NewContext();
        await using var _ctx = ctx;

        var panel = ctx.Render<CapacityPanel>(p => p.Add(c => c.Capacity, Capacity));

        panel.Find("[data-testid=capacity-cpu]").TextContent.ShouldBe("48 used · 16 free · 64 total CPU");
        panel.Find("[data-testid=capacity-memory]").TextContent.ShouldBe("64 GB used · 192 GB free · 256 GB total");
        var bars = panel.FindAll("[role=progressbar]");
        bars.Select(b => b.GetAttribute("aria-valuenow")).ShouldBe(["75", "25"]);
        panel.Find("#capacity-cpu-input").GetAttribute("value").ShouldBe("64");
        panel.Find("#capacity-memory-input").GetAttribute("value").ShouldBe("256");
    }

    [Fact]
    public async Task CapacityBelowWhatIsRunning_ShowsHowFarOver_AndWarns()
    {
        var (ctx, _) = MudBunit.NewContext();
        await using var _ctx = ctx;

        var panel = ctx.Render<CapacityPanel>(p => p.Add(c => c.Capacity, Capacity with { Cpu = 40, FreeCpu = -8 }));

        panel.Find("[data-testid=capacity-cpu]").TextContent.ShouldBe("48 used · 8 over · 40 total CPU");
        panel.Find("[data-testid=capacity-memory]").TextContent.ShouldBe("64 GB used · 192 GB free · 256 GB total");
        panel.Find("[data-testid=capacity-overcommitted]").TextContent.ShouldContain("fail with insufficient resources");
        panel.FindAll("[role=progressbar]")[0].GetAttribute("aria-valuenow").ShouldBe("100");
    }

    [Fact]
    public async Task WithinCapacity_DoesNotWarn()
    {
        var (ctx, _) = MudBunit.NewContext();
        await using var _ctx = ctx;

        var panel = ctx.Render<CapacityPanel>(p => p.Add(c => c.Capacity, Capacity with { UsedCpu = 64, FreeCpu = 0 }));

        panel.Find("[data-testid=capacity-cpu]").TextContent.ShouldBe("64 used · 0 free · 64 total CPU");
        panel.FindAll("[data-testid=capacity-overcommitted]").ShouldBeEmpty();
    }

    [Theory]
    [InlineData("0", "256", "capacity-cpu-input", "cpu must be between 1 and 100000.")]
    [InlineData("100001", "256", "capacity-cpu-input", "cpu must be between 1 and 100000.")]
    [InlineData("64", "0", "capacity-memory-input", "memory_gb must be between 1 and 1000000.")]
    [InlineData("64", "1000001", "capacity-memory-input", "memory_gb must be between 1 and 1000000.")]
    public async Task OutOfRange_ShowsTheErrorInline_AndSavesNothing(string cpu, string memory, string field, string message)
    {
        var (ctx, _) = MudBunit.NewContext();
        await using var _ctx = ctx;
        var saved = new List<CapacityRequest>();
        var panel = ctx.Render<CapacityPanel>(p => p.Add(c => c.Capacity, Capacity).Add(c => c.OnSave, (CapacityRequest r) => saved.Add(r)));

        panel.Enter("capacity-cpu-input", cpu);
        panel.Enter("capacity-memory-input", memory);
        panel.Button("capacity-save").Click();

        panel.ErrorUnder(field).ShouldBe(message);
        saved.ShouldBeEmpty();
    }

    [Fact]
    public async Task InRange_Saves_AndALiveRefreshDoesNotOverwriteWhatIsBeingTyped()
    {
        var (ctx, _) = MudBunit.NewContext();
        await using var _ctx = ctx;
        var saved = new List<CapacityRequest>();
        var panel = ctx.Render<CapacityPanel>(p => p.Add(c => c.Capacity, Capacity).Add(c => c.OnSave, (CapacityRequest r) => saved.Add(r)));

        panel.Enter("capacity-cpu-input", "128");
        panel.Render(p => p.Add(c => c.Capacity, Capacity with { UsedCpu = 50, FreeCpu = 14 }));
        panel.Find("#capacity-cpu-input").GetAttribute("value").ShouldBe("128");
        panel.Find("[data-testid=capacity-cpu]").TextContent.ShouldStartWith("50 used");

        panel.Button("capacity-save").Click();

        saved.ShouldHaveSingleItem().ShouldBe(new CapacityRequest(128, 256));
    }
}
