using Portal.Tests.TestInfrastructure;
using Provisioning.Core.Errors;

namespace Portal.Tests.Core.Simulator;

public sealed class SimulatedInfrastructureTests
{
    [Fact]
    public async Task Capacity_IsRealArithmetic_CreateUses_DeleteFrees_RepeatsCountOnce()
    {
        await using var harness = await ProvisioningHarness.StartAsync();
        var sim = harness.Simulator;
        var ct = TestContext.Current.CancellationToken;
        await sim.SetCapacityAsync(8, 16, ct);
        var owner = Guid.NewGuid();

        await sim.CreateAsync(owner, "vm-a", "vm", 6, 10, ct);
        await sim.CreateAsync(owner, "vm-a", "vm", 6, 10, ct);
        var used = await sim.CapacityAsync(ct);
        (used.UsedCpu, used.UsedMemoryGb, used.FreeCpu, used.FreeMemoryGb).ShouldBe((6, 10, 2, 6));

        var refused = await Should.ThrowAsync<ProvisioningException>(() => sim.CreateAsync(owner, "vm-b", "vm", 4, 4, ct));
        refused.Code.ShouldBe(ErrorCatalogue.InsufficientResources);

        await sim.DeleteAsync("vm-a", ct);
        await sim.DeleteAsync("vm-a", ct);
        await sim.CreateAsync(owner, "vm-b", "vm", 4, 4, ct);
        var after = await sim.CapacityAsync(ct);
        (after.UsedCpu, after.UsedMemoryGb).ShouldBe((4, 4));
    }

    [Fact]
    public async Task ConcurrentCreates_NeverOverbook()
    {
        await using var harness = await ProvisioningHarness.StartAsync();
        var sim = harness.Simulator;
        var ct = TestContext.Current.CancellationToken;
        await sim.SetCapacityAsync(10, 10, ct);

        var results = await Task.WhenAll(Enumerable.Range(0, 25).Select(i => Task.Run(async () =>
        {
            try
            {
                await sim.CreateAsync(Guid.NewGuid(), $"vm-{i}", "vm", 1, 1, ct);
                return true;
            }
            catch (ProvisioningException e) when (e.Code == ErrorCatalogue.InsufficientResources)
            {
                return false;
            }
        }, ct)));

        results.Count(created => created).ShouldBe(10);
        (await sim.CapacityAsync(ct)).FreeCpu.ShouldBe(0);
    }
}
