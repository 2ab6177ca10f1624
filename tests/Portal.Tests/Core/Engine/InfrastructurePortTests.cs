using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Portal.Tests.TestInfrastructure;
using Provisioning.Core.Infrastructure;
using Provisioning.Core.Simulator;
using Provisioning.Core.Workspaces;

namespace Portal.Tests.Core.Engine;

/// <summary>
/// The built-in steps reach infrastructure only through ports (issue 15, point 6): another compute adapter, registered
/// in place of the simulator's, is the one the vm template's steps call — with the release's source and the size
/// asked for — and nothing in the steps changes.
/// </summary>
public sealed class InfrastructurePortTests
{
    [Fact]
    public async Task AnotherComputeAdapter_IsTheOneTheVmStepsUse_WithTheReleasesSourceAndTheRequestedSize()
    {
        RecordingCompute? compute = null;
        await using var harness = await ProvisioningHarness.StartAsync(services: s => s.AddSingleton<ICompute>(sp =>
            compute = new RecordingCompute(sp.GetRequiredService<SimulatedInfrastructure>())));
        var workspace = await harness.CreateAsync("ubuntu-vm@24.04", new WorkspaceSize(4, 16));

        await harness.RunAsync(workspace.Id);

        (await harness.LoadAsync(workspace.Id)).Status.ShouldBe(WorkspaceStatus.Ready);
        var vm = $"ws-{workspace.Id:N}-vm";
        compute.ShouldNotBeNull().Calls.ShouldBe([$"create {vm} from /DC0/vm/DC0_H0_VM0, 4 CPU, 16 GB", $"power on {vm}"]);
        // wait_for_guest_tools and verify_services asked it whether the VM answers.
        compute.Lookups.ShouldBeGreaterThanOrEqualTo(2);

        (await harness.Requests.DeleteAsync(workspace.Id, "acme", "member@acme.test", TestContext.Current.CancellationToken)).Refusal.ShouldBeNull();
        await harness.RunAsync(workspace.Id);
        compute.Calls.Last().ShouldBe($"destroy {vm}");
    }

    /// <summary>A compute adapter that records what the steps ask of it and lets the simulator do it.</summary>
    private sealed class RecordingCompute(ICompute simulator) : ICompute
    {
        private readonly ConcurrentQueue<string> _calls = new();
        private int _lookups;

        public IReadOnlyList<string> Calls => [.. _calls];

        public int Lookups => _lookups;

        public string Adapter => "recording";

        public Task CreateVmAsync(Guid workspaceId, string name, string? source, int cpu, int memoryGb, CancellationToken cancellationToken)
        {
            _calls.Enqueue($"create {name} from {source}, {cpu} CPU, {memoryGb} GB");
            return simulator.CreateVmAsync(workspaceId, name, source, cpu, memoryGb, cancellationToken);
        }

        public Task PowerOnAsync(string name, CancellationToken cancellationToken)
        {
            _calls.Enqueue($"power on {name}");
            return simulator.PowerOnAsync(name, cancellationToken);
        }

        public Task DestroyVmAsync(string name, CancellationToken cancellationToken)
        {
            _calls.Enqueue($"destroy {name}");
            return simulator.DestroyVmAsync(name, cancellationToken);
        }

        public Task<InfrastructureItem?> FindAsync(string name, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _lookups);
            return simulator.FindAsync(name, cancellationToken);
        }
    }
}
