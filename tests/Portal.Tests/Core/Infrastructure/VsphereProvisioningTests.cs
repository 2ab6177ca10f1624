using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Portal.Tests.TestInfrastructure;
using Provisioning.Core.Errors;
using Provisioning.Core.Infrastructure;
using Provisioning.Core.Infrastructure.Vsphere;
using Provisioning.Core.Persistence;
using Provisioning.Core.Workspaces;

namespace Portal.Tests.Core.Infrastructure;

/// <summary>
/// The built-in <c>vm</c> template on vSphere (issue 16), against VMware's own simulator (vcsim) and checked with
/// vSphere's API: the engine on a real database, time faked only for the waits between tries.
/// </summary>
public abstract class VsphereProvisioningTests(DatabaseProvider provider) : IAsyncLifetime
{
    private const string VmRelease = "ubuntu-vm@24.04";

    private VcsimServer _vcsim = null!;

    public async ValueTask InitializeAsync() => _vcsim = await VcsimServer.StartAsync();

    public async ValueTask DisposeAsync() => await _vcsim.DisposeAsync();

    [Fact]
    public async Task AWorkspace_IsOneVmNamedAfterIt_PoweredOn_WithTheRequestedSize_AndDeletingItDestroysTheVm()
    {
        await using var harness = await StartAsync();
        var workspace = await harness.CreateAsync(VmRelease, new WorkspaceSize(2, 4));

        await harness.RunAsync(workspace.Id);

        (await harness.LoadAsync(workspace.Id)).Status.ShouldBe(WorkspaceStatus.Ready);
        var vm = (await _vcsim.VmsAsync()).ShouldHaveSingleItem();
        vm.Name.ShouldBe($"ws-{workspace.Id:N}-vm");
        vm.PowerState.ShouldBe("poweredOn");
        vm.Cpu.ShouldBe(2);
        vm.MemoryMb.ShouldBe(4096);
        vm.NicConnected.ShouldBeTrue();

        (await harness.Requests.DeleteAsync(workspace.Id, "acme", "member@acme.test", CancellationToken.None)).Refusal.ShouldBeNull();
        await harness.RunAsync(workspace.Id);

        (await harness.LoadAsync(workspace.Id)).Status.ShouldBe(WorkspaceStatus.Deleted);
        (await _vcsim.VmsAsync()).ShouldBeEmpty();
    }

    [Fact]
    public async Task ClonedAgain_AfterTheStepAlreadyMadeItsVm_ReusesIt_NeverClonesTwice()
    {
        await using var harness = await StartAsync();
        var compute = harness.Services.GetRequiredService<ICompute>();
        var workspaceId = Guid.NewGuid();
        var name = $"ws-{workspaceId:N}-vm";

        await compute.CreateVmAsync(workspaceId, name, VcsimServer.Source, 1, 2, CancellationToken.None);
        // The step run again after a crash, with a fresh node (no memory of the first run) and the same name.
        await using var other = await StartAsync();
        await other.Services.GetRequiredService<ICompute>().CreateVmAsync(workspaceId, name, VcsimServer.Source, 1, 2, CancellationToken.None);

        (await _vcsim.VmsAsync()).ShouldHaveSingleItem().Name.ShouldBe(name);
    }

    [Fact]
    public async Task TwoRunsCloningTheSameVmAtOnce_EndWithOneVm_TheOldest()
    {
        // vCenter holds each clone, so both runs look for the VM, find none, and ask for a clone of the same name.
        await using var slow = await VcsimServer.StartAsync(delays: "CloneVM_Task=1500");
        await using var one = await ProvisioningHarness.StartAsync(slow.Settings(), provider);
        await using var two = await ProvisioningHarness.StartAsync(slow.Settings(), provider);
        var workspaceId = Guid.NewGuid();
        var name = $"ws-{workspaceId:N}-vm";

        await Task.WhenAll(
            one.Services.GetRequiredService<ICompute>().CreateVmAsync(workspaceId, name, VcsimServer.Source, 1, 2, CancellationToken.None),
            two.Services.GetRequiredService<ICompute>().CreateVmAsync(workspaceId, name, VcsimServer.Source, 1, 2, CancellationToken.None));

        (await slow.VmsAsync()).ShouldHaveSingleItem().Name.ShouldBe(name);
        one.Logs.Entries.Concat(two.Logs.Entries).ShouldContain(l => l.Message.Contains($"are named {name}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AMissingSource_IsTemplateNotFound_WithoutRetries_AndNoVm()
    {
        await using var harness = await StartAsync();
        await harness.AddReleaseAsync("gone-vm", "vm");
        await using (var db = await harness.DbAsync())
        {
            (await db.Releases.FindAsync(["gone-vm@1.0.0"], TestContext.Current.CancellationToken))!.Describe(null, "/DC0/vm/no-such-template");
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        }

        var workspace = await harness.CreateAsync("gone-vm@1.0.0");

        var waits = await harness.RunAsync(workspace.Id);

        var failed = await harness.LoadAsync(workspace.Id);
        failed.Status.ShouldBe(WorkspaceStatus.Error);
        failed.ErrorCode.ShouldBe(ErrorCatalogue.TemplateNotFound);
        failed.ErrorTechnicalDetail.ShouldNotBeNull().ShouldContain("/DC0/vm/no-such-template");
        waits.ShouldBeEmpty();
        (await harness.EventsAsync(workspace.Id)).ShouldNotContain(e => e.Type == WorkspaceEventTypes.StepRetryScheduled);
        (await _vcsim.VmsAsync()).ShouldBeEmpty();
    }

    [Fact]
    public async Task ToolsReadiness_OnVcsim_WhoseClonesNeverRunTools_EndsToolsTimeout_AndCompensationLeavesNoVm()
    {
        await using var harness = await StartAsync(_vcsim.Settings(readiness: "Tools"));
        var workspace = await harness.CreateAsync(VmRelease);

        await harness.RunAsync(workspace.Id);

        var failed = await harness.LoadAsync(workspace.Id);
        failed.Status.ShouldBe(WorkspaceStatus.Error);
        failed.ErrorCode.ShouldBe(ErrorCatalogue.ToolsTimeout);
        failed.LatestAttempt!.FailedStep.ShouldBe("wait_for_guest_tools");
        (await _vcsim.VmsAsync()).ShouldBeEmpty();
        (await harness.ResourcesAsync(workspace.Id)).ShouldAllBe(r => r.State == ResourceState.Released);
    }

    [Fact]
    public async Task ANetworkThatIsNotThere_IsRetriedAsTransient_ThenCompensationDestroysTheHalfBuiltVm()
    {
        var settings = _vcsim.Settings();
        settings["Infrastructure:Vsphere:Network"] = "No Such Network";
        await using var harness = await StartAsync(settings);
        var workspace = await harness.CreateAsync(VmRelease);

        await harness.RunAsync(workspace.Id);

        var failed = await harness.LoadAsync(workspace.Id);
        failed.ErrorCode.ShouldBe(ErrorCatalogue.NetworkConfigFailed);
        failed.LatestAttempt!.FailedStep.ShouldBe("configure_network");
        failed.ErrorTechnicalDetail.ShouldNotBeNull().ShouldContain("No Such Network");
        (await harness.EventsAsync(workspace.Id)).Count(e => e.Type == WorkspaceEventTypes.StepRetryScheduled).ShouldBe(4);
        (await _vcsim.VmsAsync()).ShouldBeEmpty();
        (await harness.ResourcesAsync(workspace.Id)).Single(r => r.Kind == "vm").State.ShouldBe(ResourceState.Released);
    }

    [Fact]
    public async Task ADistributedPortGroup_IsWhereTheAdapterIsConnected()
    {
        var settings = _vcsim.Settings();
        settings["Infrastructure:Vsphere:Network"] = "DC0_DVPG0";
        await using var harness = await StartAsync(settings);
        var workspace = await harness.CreateAsync(VmRelease);

        await harness.RunAsync(workspace.Id);

        (await harness.LoadAsync(workspace.Id)).Status.ShouldBe(WorkspaceStatus.Ready);
        (await _vcsim.VmsAsync()).ShouldHaveSingleItem().NicConnected.ShouldBeTrue();
    }

    [Fact]
    public async Task PlacementSettings_PutTheCloneWhereTheySay_ByPathOrName()
    {
        var settings = _vcsim.Settings();
        settings["Infrastructure:Vsphere:Folder"] = "/DC0/vm";
        settings["Infrastructure:Vsphere:ResourcePool"] = "/DC0/host/DC0_C0/Resources";
        settings["Infrastructure:Vsphere:Datastore"] = "LocalDS_0";
        await using var harness = await StartAsync(settings);
        var workspace = await harness.CreateAsync(VmRelease);

        await harness.RunAsync(workspace.Id);

        (await harness.LoadAsync(workspace.Id)).Status.ShouldBe(WorkspaceStatus.Ready);
        using var client = _vcsim.NewClient();
        var vm = (await client.FindByInventoryPathAsync($"/DC0/vm/ws-{workspace.Id:N}-vm", CancellationToken.None)).ShouldNotBeNull();
        var placement = await client.PropertiesAsync(vm, ["resourcePool", "datastore"], CancellationToken.None);
        var pool = await client.FindByInventoryPathAsync("/DC0/host/DC0_C0/Resources", CancellationToken.None);
        ManagedObject.From(placement["resourcePool"]).ShouldBe(pool!.Value);
        var datastore = ManagedObject.From(placement["datastore"].Elements().ShouldHaveSingleItem());
        (await client.PropertiesAsync(datastore, ["name"], CancellationToken.None))["name"].Value.ShouldBe("LocalDS_0");
    }

    [Fact]
    public async Task ADatastoreThatIsNotThere_IsDatastoreNotAvailable_WithoutRetries()
    {
        var settings = _vcsim.Settings();
        settings["Infrastructure:Vsphere:Datastore"] = "NoSuchDatastore";
        await using var harness = await StartAsync(settings);
        var workspace = await harness.CreateAsync(VmRelease);

        var waits = await harness.RunAsync(workspace.Id);

        var failed = await harness.LoadAsync(workspace.Id);
        failed.ErrorCode.ShouldBe(ErrorCatalogue.DatastoreNotAvailable);
        failed.ErrorTechnicalDetail.ShouldNotBeNull().ShouldStartWith("InvalidDatastorePath:");
        waits.ShouldBeEmpty();
        (await _vcsim.VmsAsync()).ShouldBeEmpty();
    }

    [Fact]
    public async Task WrongCredentials_AreConnectionFailed_AtOnce()
    {
        var settings = _vcsim.Settings();
        settings["Infrastructure:Vsphere:Password"] = "not-the-password";
        await using var harness = await StartAsync(settings);
        var workspace = await harness.CreateAsync(VmRelease);

        var waits = await harness.RunAsync(workspace.Id);

        var failed = await harness.LoadAsync(workspace.Id);
        failed.ErrorCode.ShouldBe(ErrorCatalogue.ConnectionFailed);
        failed.ErrorTechnicalDetail.ShouldNotBeNull().ShouldStartWith("InvalidLogin:");
        waits.ShouldBeEmpty();
    }

    [Fact]
    public async Task AnUntrustedCertificate_IsConnectionFailed()
    {
        var settings = _vcsim.Settings();
        settings["Infrastructure:Vsphere:Thumbprint"] = null;
        await using var harness = await StartAsync(settings);
        var workspace = await harness.CreateAsync(VmRelease);

        await harness.RunAsync(workspace.Id);

        var failed = await harness.LoadAsync(workspace.Id);
        failed.ErrorCode.ShouldBe(ErrorCatalogue.ConnectionFailed);
        failed.ErrorTechnicalDetail.ShouldNotBeNull().ShouldContain("Thumbprint");
        (await _vcsim.VmsAsync()).ShouldBeEmpty();
    }

    [Fact]
    public async Task AnExpiredSession_IsLoggedInAgain()
    {
        await using var harness = await StartAsync();
        var first = await harness.CreateAsync(VmRelease);
        await harness.RunAsync(first.Id);
        await TerminateOtherSessionsAsync();

        var second = await harness.CreateAsync(VmRelease, name: "second");
        await harness.RunAsync(second.Id);

        (await harness.LoadAsync(second.Id)).Status.ShouldBe(WorkspaceStatus.Ready);
        harness.Logs.Entries.ShouldContain(l => l.Message.Contains("has expired; logging in again", StringComparison.Ordinal));
    }

    [Fact]
    public async Task VsphereGoneMidAttempt_IsRetriedAsTransient_AndACleanupThatCannotReachIt_LogsCritical_AndOrphansTheVm()
    {
        await using var harness = await StartAsync(services: s => s.AddSingleton<ICompute>(sp =>
            new VcsimDiesBeforePowerOn(sp.GetRequiredService<VsphereInfrastructure>(), _vcsim)));
        var workspace = await harness.CreateAsync(VmRelease);

        await harness.RunAsync(workspace.Id);

        var failed = await harness.LoadAsync(workspace.Id);
        failed.LatestAttempt!.FailedStep.ShouldBe("power_on");
        failed.ErrorCode.ShouldBe(ErrorCatalogue.ConnectionTimeout);
        (await harness.EventsAsync(workspace.Id)).Count(e => e.Type == WorkspaceEventTypes.StepRetryScheduled).ShouldBe(4);
        (await harness.ResourcesAsync(workspace.Id)).Single(r => r.Kind == "vm").State.ShouldBe(ResourceState.Orphaned);
        harness.Logs.Entries.ShouldContain(l => l.Level == LogLevel.Critical && l.Message.StartsWith("CRITICAL:", StringComparison.Ordinal));
    }

    private Task<ProvisioningHarness> StartAsync(Dictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null) =>
        ProvisioningHarness.StartAsync(settings ?? _vcsim.Settings(), provider, services);

    /// <summary>Ends every session but the test's own, as vCenter does when sessions time out.</summary>
    private async Task TerminateOtherSessionsAsync()
    {
        using var client = _vcsim.NewClient();
        var content = await client.ContentAsync(CancellationToken.None);
        var sessions = await client.PropertiesAsync(content.SessionManager, ["sessionList", "currentSession"], CancellationToken.None);
        var mine = (string?)sessions["currentSession"].Child("key");
        var others = sessions["sessionList"].Elements().Select(s => (string?)s.Child("key")).Where(k => k != mine).ToList();
        others.ShouldNotBeEmpty();
        await client.InvokeAsync("TerminateSession", content.SessionManager, CancellationToken.None, others.Select(k => Vim.El("sessionId", k)).ToArray());
    }

    /// <summary>The real adapter, with vCenter killed just before the VM is powered on.</summary>
    private sealed class VcsimDiesBeforePowerOn(VsphereInfrastructure vsphere, VcsimServer vcsim) : ICompute
    {
        public string Adapter => vsphere.Adapter;

        public Task<InfrastructureItem?> FindAsync(string name, CancellationToken cancellationToken) => vsphere.FindAsync(name, cancellationToken);

        public Task CreateVmAsync(Guid workspaceId, string name, string? source, int cpu, int memoryGb, CancellationToken cancellationToken) =>
            vsphere.CreateVmAsync(workspaceId, name, source, cpu, memoryGb, cancellationToken);

        public async Task PowerOnAsync(string name, CancellationToken cancellationToken)
        {
            await vcsim.KillAsync();
            await vsphere.PowerOnAsync(name, cancellationToken);
        }

        public Task DestroyVmAsync(string name, CancellationToken cancellationToken) => vsphere.DestroyVmAsync(name, cancellationToken);
    }
}

public sealed class VsphereProvisioningTestsOnSqlite() : VsphereProvisioningTests(DatabaseProvider.Sqlite);

public sealed class VsphereProvisioningTestsOnPostgres() : VsphereProvisioningTests(DatabaseProvider.Postgres);
