using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Portal.Tests.TestInfrastructure;
using Provisioning.Core.Errors;
using Provisioning.Core.Persistence;
using Provisioning.Core.Simulator;

namespace Portal.Tests.Core.Simulator;

public abstract class SimulatedInfrastructureTests(DatabaseProvider provider)
{
    [Fact]
    public async Task Capacity_IsRealArithmetic_CreateUses_DeleteFrees_RepeatsCountOnce()
    {
        await using var harness = await ProvisioningHarness.StartAsync(provider: provider);
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
        await using var harness = await ProvisioningHarness.StartAsync(provider: provider);
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

    [Fact]
    public async Task WhatTheSimulatorHolds_IsWrittenThrough_AndASimulatorStartedOnTheSameDatabaseSeesIt()
    {
        await using var harness = await ProvisioningHarness.StartAsync(provider: provider);
        var sim = harness.Simulator;
        var ct = TestContext.Current.CancellationToken;
        await sim.SetCapacityAsync(8, 16, ct);
        var owner = Guid.NewGuid();
        await sim.CreateAsync(owner, "vm-a", "vm", 6, 10, ct);
        await sim.PowerOnAsync("vm-a", becomesReady: true, ct);
        await sim.CreateAsync(owner, "key-a", "api_key", 0, 0, ct);
        await sim.HoldSecretAsync("key-a", "protected", ct);
        await sim.CreateAsync(owner, "vm-gone", "vm", 1, 1, ct);
        await sim.DeleteAsync("vm-gone", ct);

        // As after a restart: a new simulator over the same database, nothing in memory yet.
        var restarted = new SimulatedInfrastructure(
            harness.Services.GetRequiredService<IDbContextFactory<ProvisioningDbContext>>(),
            harness.Services.GetRequiredService<IOptions<SimulatorOptions>>(),
            harness.Time,
            harness.Services.GetRequiredService<PortalDatabase>());

        var capacity = await restarted.CapacityAsync(ct);
        (capacity.Cpu, capacity.MemoryGb, capacity.UsedCpu, capacity.UsedMemoryGb).ShouldBe((8, 16, 6, 10));
        var vm = (await restarted.FindAsync("vm-a", ct)).ShouldNotBeNull();
        (vm.PoweredOn, vm.ReadyAt.HasValue, vm.WorkspaceId).ShouldBe((true, true, owner));
        (await restarted.FindAsync("key-a", ct)).ShouldNotBeNull().ProtectedSecret.ShouldBe("protected");
        (await restarted.FindAsync("vm-gone", ct)).ShouldBeNull();
        (await restarted.InventoryAsync(ct)).Count.ShouldBe(3);

        var refused = await Should.ThrowAsync<ProvisioningException>(() => restarted.CreateAsync(owner, "vm-b", "vm", 4, 4, ct));
        refused.Code.ShouldBe(ErrorCatalogue.InsufficientResources);
        (await restarted.CreateAsync(owner, "vm-a", "vm", 6, 10, ct)).Id.ShouldBe(vm.Id);
    }

    [Fact]
    public async Task ChangingWhatDoesNotExist_FailsClearly_AndChangesNothing()
    {
        await using var harness = await ProvisioningHarness.StartAsync(provider: provider);
        var sim = harness.Simulator;
        var ct = TestContext.Current.CancellationToken;
        var before = await sim.CapacityAsync(ct);

        (await Should.ThrowAsync<ProvisioningException>(() => sim.PowerOnAsync("no-such-vm", becomesReady: true, ct))).Code.ShouldBe(ErrorCatalogue.VmConfigInvalid);
        await Should.ThrowAsync<InvalidOperationException>(() => sim.HoldSecretAsync("no-such-key", "secret", ct));

        (await sim.CapacityAsync(ct)).ShouldBe(before);
        (await sim.InventoryAsync(ct)).ShouldBeEmpty();
    }
}

public sealed class SimulatedInfrastructureTestsOnSqlite() : SimulatedInfrastructureTests(DatabaseProvider.Sqlite);

public sealed class SimulatedInfrastructureTestsOnPostgres() : SimulatedInfrastructureTests(DatabaseProvider.Postgres);

/// <summary>On PostgreSQL, every portal node has a simulator over the one database: together they still book capacity exactly.</summary>
public sealed class SimulatedInfrastructureAcrossNodesTests
{
    [Fact]
    public async Task TwoSimulatorsOnOneDatabase_AsTwoNodes_NeverOverbook_CreateOnce_AndFreeOnce()
    {
        await using var harness = await ProvisioningHarness.StartAsync(provider: DatabaseProvider.Postgres);
        var ct = TestContext.Current.CancellationToken;
        // A second node: its own simulator over the same database.
        var other = new SimulatedInfrastructure(
            harness.Services.GetRequiredService<IDbContextFactory<ProvisioningDbContext>>(),
            harness.Services.GetRequiredService<IOptions<SimulatorOptions>>(),
            harness.Time,
            harness.Services.GetRequiredService<PortalDatabase>());
        await harness.Simulator.SetCapacityAsync(10, 10, ct);
        var nodes = new[] { harness.Simulator, other };

        var created = await Task.WhenAll(Enumerable.Range(0, 30).Select(i => Task.Run(async () =>
        {
            try
            {
                // Each name asked of both nodes at once: one resource each, booked once.
                var pair = await Task.WhenAll(nodes.Select(node => node.CreateAsync(Guid.NewGuid(), $"vm-{i % 15}", "vm", 1, 1, ct)));
                pair[0].Id.ShouldBe(pair[1].Id);
                return true;
            }
            catch (ProvisioningException e) when (e.Code == ErrorCatalogue.InsufficientResources)
            {
                return false;
            }
        }, ct)));

        (await harness.Simulator.InventoryAsync(ct)).Count(r => r.IsActive).ShouldBe(10);
        (await other.CapacityAsync(ct)).FreeCpu.ShouldBe(0);
        // The ten names that got capacity, each asked twice; the other five refused both times.
        created.Count(c => c).ShouldBe(20);

        var live = (await harness.Simulator.InventoryAsync(ct)).Where(r => r.IsActive).Select(r => r.Name).ToList();
        await Task.WhenAll(live.SelectMany(name => nodes.Select(node => node.DeleteAsync(name, ct))));
        (await harness.Simulator.CapacityAsync(ct)).ShouldBe(new CapacityReport(10, 10, 0, 0));
    }
}
