using System.Collections.Concurrent;
using System.Xml.Linq;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Provisioning.Core.Errors;

namespace Provisioning.Core.Infrastructure.Vsphere;

/// <summary>
/// The built-in VM steps' ports on vSphere (DESIGN §5): a VM is a clone of the release's source named after the
/// workspace — the name is the idempotency key, so a step run again after a crash finds and reuses its VM — sized,
/// connected, powered on and awaited; compensation powers it off and destroys it.
/// </summary>
public sealed class VsphereInfrastructure(VimClient vim, IOptions<VsphereOptions> options, TimeProvider time, ILogger<VsphereInfrastructure> logger)
    : ICompute, INetwork
{
    private static readonly string[] EthernetCards =
        ["VirtualVmxnet3", "VirtualVmxnet3Vrdma", "VirtualVmxnet2", "VirtualVmxnet", "VirtualE1000e", "VirtualE1000", "VirtualPCNet32", "VirtualSriovEthernetCard"];

    // The VMs this node made or found, by name; checked before use, since an admin may have removed one meanwhile.
    private readonly ConcurrentDictionary<string, ManagedObject> _vms = new(StringComparer.Ordinal);

    public string Adapter => "vsphere";

    public VimClient Client => vim;

    public Task<InfrastructureItem?> FindAsync(string name, CancellationToken cancellationToken) => Call(cancellationToken, async () =>
    {
        if (await FindVmAsync(name, cancellationToken) is not { } vm)
        {
            return null;
        }

        var properties = await vim.PropertiesAsync(vm, ["runtime.powerState", "guest.toolsRunningStatus"], cancellationToken);
        var poweredOn = (string?)properties.GetValueOrDefault("runtime.powerState") == "poweredOn";
        var ready = options.Value.Readiness == VsphereReadiness.Power
            ? poweredOn
            : poweredOn && (string?)properties.GetValueOrDefault("guest.toolsRunningStatus") == "guestToolsRunning";
        return new InfrastructureItem(name, "vm", poweredOn, ready ? time.GetUtcNow() : null, options.Value.ReadinessPollInterval);
    });

    public Task CreateVmAsync(Guid workspaceId, string name, string? source, int cpu, int memoryGb, CancellationToken cancellationToken) => Call(cancellationToken, async () =>
    {
        var vm = await FindVmAsync(name, cancellationToken);
        if (vm is null)
        {
            var template = await FindSourceAsync(source, cancellationToken);
            vm = await CloneAsync(workspaceId, template, source!, name, cpu, memoryGb, cancellationToken);
        }
        else
        {
            logger.LogInformation("Reusing the VM {Vm} ({Reference}) an earlier run of the step cloned", name, vm.Value);
        }

        await ResizeAsync(vm.Value, name, cpu, memoryGb, cancellationToken);
    });

    public Task PowerOnAsync(string name, CancellationToken cancellationToken) => Call(cancellationToken, async () =>
    {
        var vm = await FindVmAsync(name, cancellationToken)
            ?? throw new ProvisioningException(ErrorCatalogue.VmConfigInvalid, $"ManagedObjectNotFound: cannot power on '{name}': there is no VM of that name.");
        var state = await vim.PropertiesAsync(vm, ["runtime.powerState"], cancellationToken);
        if ((string?)state.GetValueOrDefault("runtime.powerState") != "poweredOn")
        {
            await vim.RunTaskAsync("PowerOnVM_Task", vm, cancellationToken);
            logger.LogInformation("Powered on {Vm}", name);
        }
    });

    public Task DestroyVmAsync(string name, CancellationToken cancellationToken) => Call(cancellationToken, async () =>
    {
        // Every VM of the name: a clone that raced an earlier one must not stay behind either.
        foreach (var vm in await vim.FindByNameAsync("VirtualMachine", name, cancellationToken))
        {
            try
            {
                var state = await vim.PropertiesAsync(vm, ["runtime.powerState"], cancellationToken);
                if ((string?)state.GetValueOrDefault("runtime.powerState") == "poweredOn")
                {
                    await vim.RunTaskAsync("PowerOffVM_Task", vm, cancellationToken);
                }

                await vim.RunTaskAsync("Destroy_Task", vm, cancellationToken);
                logger.LogInformation("Destroyed the VM {Vm} ({Reference})", name, vm.Value);
            }
            catch (VimFaultException e) when (e.Fault == "ManagedObjectNotFound")
            {
                // Already gone.
            }
        }

        _vms.TryRemove(name, out _);
    });

    public Task ConnectAsync(Guid workspaceId, string vmName, string adapterName, CancellationToken cancellationToken) => Call(cancellationToken, async () =>
    {
        var vm = await FindVmAsync(vmName, cancellationToken)
            ?? throw new ProvisioningException(ErrorCatalogue.NetworkConfigFailed, $"NetworkConfigFailed: there is no VM '{vmName}' to connect.");
        var backing = options.Value.Network is { Length: > 0 } network ? await NetworkBackingAsync(network, cancellationToken) : null;
        var card = await EthernetCardAsync(vm, cancellationToken);
        if (card is null && backing is null)
        {
            throw new ProvisioningException(ErrorCatalogue.NetworkConfigFailed,
                $"NetworkConfigFailed: '{vmName}' has no network adapter and Infrastructure:Vsphere:Network names no network to add one on.");
        }

        var change = card is null
            ? Vim.El("deviceChange", Vim.El("operation", "add"),
                Vim.Typed("device", "VirtualVmxnet3", Vim.El("key", "-1"), backing, Connectable(true)))
            : Vim.El("deviceChange", Vim.El("operation", "edit"), Edited(card, backing, connected: true));
        await vim.RunTaskAsync("ReconfigVM_Task", vm, cancellationToken, Vim.El("spec", change));
        logger.LogInformation("Connected the network adapter of {Vm}{Network}", vmName, options.Value.Network is { Length: > 0 } n ? $" to {n}" : "");
    }, ErrorCatalogue.NetworkConfigFailed);

    public Task<bool> IsConnectedAsync(string vmName, string adapterName, CancellationToken cancellationToken) => Call(cancellationToken, async () =>
        await FindVmAsync(vmName, cancellationToken) is { } vm
        && await EthernetCardAsync(vm, cancellationToken) is { } card
        && (string?)card.Child("connectable")?.Child("startConnected") == "true");

    public Task DisconnectAsync(string vmName, string adapterName, CancellationToken cancellationToken) => Call(cancellationToken, async () =>
    {
        if (await FindVmAsync(vmName, cancellationToken) is { } vm && await EthernetCardAsync(vm, cancellationToken) is { } card)
        {
            await vim.RunTaskAsync("ReconfigVM_Task", vm, cancellationToken,
                Vim.El("spec", Vim.El("deviceChange", Vim.El("operation", "edit"), Edited(card, backing: null, connected: false))));
        }
    }, ErrorCatalogue.NetworkConfigFailed);

    /// <summary>Checks that vSphere answers and this node's session holds (the <c>vsphere</c> health check).</summary>
    public async Task<string> ProbeAsync(CancellationToken cancellationToken)
    {
        var content = await vim.ContentAsync(cancellationToken);
        var session = await vim.PropertiesAsync(content.SessionManager, ["currentSession"], cancellationToken);
        return session.ContainsKey("currentSession") ? $"Logged in at {vim.Url}." : throw new VimFaultException("NotAuthenticated", "No current session.");
    }

    private async Task<ManagedObject?> FindVmAsync(string name, CancellationToken cancellationToken)
    {
        if (_vms.TryGetValue(name, out var known))
        {
            try
            {
                if ((string?)(await vim.PropertiesAsync(known, ["name"], cancellationToken)).GetValueOrDefault("name") == name)
                {
                    return known;
                }
            }
            catch (VimFaultException e) when (e.Fault == "ManagedObjectNotFound")
            {
            }

            _vms.TryRemove(name, out _);
        }

        var found = await vim.FindByNameAsync("VirtualMachine", name, cancellationToken);
        if (found.Count > 1)
        {
            logger.LogWarning("{Count} VMs are named {Vm}; using {Reference}", found.Count, name, found[0].Value);
        }

        if (found.Count == 0)
        {
            return null;
        }

        _vms[name] = found[0];
        return found[0];
    }

    private async Task<ManagedObject> FindSourceAsync(string? source, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(source))
        {
            throw new ProvisioningException(ErrorCatalogue.TemplateNotFound, "TemplateNotFound: the release names no source VM or template to clone.");
        }

        return await vim.FindByInventoryPathAsync(source, cancellationToken) is { Type: "VirtualMachine" } found
            ? found
            : throw new ProvisioningException(ErrorCatalogue.TemplateNotFound, $"TemplateNotFound: no VM or template at '{source}' in vSphere's inventory.");
    }

    private async Task<ManagedObject> CloneAsync(
        Guid workspaceId, ManagedObject template, string source, string name, int cpu, int memoryGb, CancellationToken cancellationToken)
    {
        var placement = await vim.PropertiesAsync(template, ["parent", "resourcePool", "runtime.host"], cancellationToken);
        var folder = options.Value.Folder is { Length: > 0 } f
            ? await PlaceAsync("Folder", f, ErrorCatalogue.VmConfigInvalid, cancellationToken)
            : ManagedObject.From(placement["parent"]);
        var pool = options.Value.ResourcePool is { Length: > 0 } p
            ? await PlaceAsync("ResourcePool", p, ErrorCatalogue.InsufficientResources, cancellationToken)
            : await SourcePoolAsync(placement, cancellationToken);
        var datastore = options.Value.Datastore is { Length: > 0 } d
            ? await PlaceAsync("Datastore", d, ErrorCatalogue.DatastoreNotAvailable, cancellationToken)
            : (ManagedObject?)null;

        logger.LogInformation("Cloning {Source} into the VM {Vm} ({Cpu} CPU, {MemoryGb} GB)", source, name, cpu, memoryGb);
        try
        {
            var result = await vim.RunTaskAsync("CloneVM_Task", template, cancellationToken,
                folder.ToXml("folder"),
                Vim.El("name", name),
                Vim.El("spec",
                    Vim.El("location", datastore?.ToXml("datastore"), pool.ToXml("pool")),
                    Vim.El("template", "false"),
                    Vim.El("config",
                        Vim.El("annotation", $"Provisioning Portal workspace {workspaceId}"),
                        Vim.El("numCPUs", cpu),
                        Vim.El("memoryMB", memoryGb * 1024L)),
                    Vim.El("powerOn", "false")));
            var vm = ManagedObject.From(result ?? throw new VimProtocolException("CloneVM_Task ended without the new VM."));
            _vms[name] = vm;
            return await KeepOneAsync(name, vm, cancellationToken);
        }
        catch (VimFaultException e) when (e.Fault is "DuplicateName" or "FileAlreadyExists")
        {
            // A clone of the same name finished meanwhile (a run before a crash): it is this step's VM.
            if (await FindVmAsync(name, cancellationToken) is { } existing)
            {
                logger.LogInformation("Reusing the VM {Vm} ({Reference}) a clone of the same name made meanwhile", name, existing.Value);
                return existing;
            }

            throw;
        }
    }

    /// <summary>
    /// vCenter refuses a second VM of a name in one folder, but a simulator (or a clone into another folder) may not: when
    /// a clone of an earlier run that was still in flight finished beside this one, the oldest VM of the name is the
    /// step's and the others are destroyed. Every run chooses the same one.
    /// </summary>
    private async Task<ManagedObject> KeepOneAsync(string name, ManagedObject cloned, CancellationToken cancellationToken)
    {
        var all = await vim.FindByNameAsync("VirtualMachine", name, cancellationToken);
        if (all.Count < 2)
        {
            // Ours, or the one another run kept after destroying ours.
            return all.Count == 1 ? Remember(name, all[0]) : cloned;
        }

        var created = new List<(ManagedObject Vm, string CreatedAt)>();
        foreach (var vm in all)
        {
            try
            {
                created.Add((vm, (string?)(await vim.PropertiesAsync(vm, ["config.createDate"], cancellationToken)).GetValueOrDefault("config.createDate") ?? ""));
            }
            catch (VimFaultException e) when (e.Fault == "ManagedObjectNotFound")
            {
                // Another run destroyed it meanwhile: it was not the one to keep.
            }
        }

        if (created.Count == 0)
        {
            return cloned;
        }

        var kept = created.OrderBy(c => DateTimeOffset.TryParse(c.CreatedAt, out var at) ? at : DateTimeOffset.MaxValue)
            .ThenBy(c => c.Vm.Value, StringComparer.Ordinal).First().Vm;
        logger.LogWarning("{Count} VMs are named {Vm} (a clone of an earlier run finished beside this one): keeping {Kept}, destroying the others",
            all.Count, name, kept.Value);
        foreach (var extra in created.Select(c => c.Vm).Where(vm => vm != kept))
        {
            try
            {
                await vim.RunTaskAsync("Destroy_Task", extra, cancellationToken);
            }
            catch (VimFaultException e) when (e.Fault == "ManagedObjectNotFound")
            {
                // Another run destroyed it first.
            }
        }

        return Remember(name, kept);
    }

    private ManagedObject Remember(string name, ManagedObject vm)
    {
        _vms[name] = vm;
        return vm;
    }

    private async Task ResizeAsync(ManagedObject vm, string name, int cpu, int memoryGb, CancellationToken cancellationToken)
    {
        var size = await vim.PropertiesAsync(vm, ["config.hardware.numCPU", "config.hardware.memoryMB"], cancellationToken);
        if ((int?)size.GetValueOrDefault("config.hardware.numCPU") == cpu && (long?)size.GetValueOrDefault("config.hardware.memoryMB") == memoryGb * 1024L)
        {
            return;
        }

        await vim.RunTaskAsync("ReconfigVM_Task", vm, cancellationToken, Vim.El("spec", Vim.El("numCPUs", cpu), Vim.El("memoryMB", memoryGb * 1024L)));
        logger.LogInformation("Sized the VM {Vm} to {Cpu} CPU, {MemoryGb} GB", name, cpu, memoryGb);
    }

    /// <summary>The source VM's resource pool; a template has none, so its host's cluster's root pool.</summary>
    private async Task<ManagedObject> SourcePoolAsync(IReadOnlyDictionary<string, XElement> placement, CancellationToken cancellationToken)
    {
        if (placement.GetValueOrDefault("resourcePool") is { } pool)
        {
            return ManagedObject.From(pool);
        }

        var host = ManagedObject.From(placement.GetValueOrDefault("runtime.host")
            ?? throw new ProvisioningException(ErrorCatalogue.InsufficientResources, "InsufficientResourcesFault: the source has no host; set Infrastructure:Vsphere:ResourcePool."));
        var compute = ManagedObject.From((await vim.PropertiesAsync(host, ["parent"], cancellationToken))["parent"]);
        return ManagedObject.From((await vim.PropertiesAsync(compute, ["resourcePool"], cancellationToken))["resourcePool"]);
    }

    /// <summary>A configured placement: an inventory path (<c>/DC0/datastore/LocalDS_0</c>) or the name of exactly one object.</summary>
    private async Task<ManagedObject> PlaceAsync(string type, string configured, string missingCode, CancellationToken cancellationToken)
    {
        var found = await FindConfiguredAsync(type, configured, cancellationToken);
        return found.Count == 1
            ? found[0]
            : throw new ProvisioningException(missingCode, found.Count == 0
                ? $"{(type == "Datastore" ? "InvalidDatastorePath" : "NotFound")}: no {type} '{configured}' in vSphere's inventory (Infrastructure:Vsphere:{type})."
                : $"NotFound: {found.Count} objects of type {type} are named '{configured}'; set Infrastructure:Vsphere:{type} to an inventory path.");
    }

    /// <summary>What a setting names: the object at an inventory path (<c>/DC0/datastore/LocalDS_0</c>), or every object of the type with that name.</summary>
    private async Task<IReadOnlyList<ManagedObject>> FindConfiguredAsync(string type, string configured, CancellationToken cancellationToken) =>
        configured.StartsWith('/')
            ? await vim.FindByInventoryPathAsync(configured, cancellationToken) is { } byPath ? [byPath] : []
            : await vim.FindByNameAsync(type, configured, cancellationToken);

    /// <summary>The adapter's backing for a standard network or a distributed port group.</summary>
    private async Task<XElement> NetworkBackingAsync(string network, CancellationToken cancellationToken)
    {
        var found = await FindConfiguredAsync("Network", network, cancellationToken);
        if (found.Count != 1)
        {
            throw new ProvisioningException(ErrorCatalogue.NetworkConfigFailed, found.Count == 0
                ? $"NetworkConfigFailed: no network '{network}' in vSphere's inventory (Infrastructure:Vsphere:Network)."
                : $"NetworkConfigFailed: {found.Count} networks are named '{network}'; set Infrastructure:Vsphere:Network to an inventory path.");
        }

        var target = found[0];
        if (target.Type != "DistributedVirtualPortgroup")
        {
            return Vim.Typed("backing", "VirtualEthernetCardNetworkBackingInfo", Vim.El("deviceName", network.Split('/')[^1]), target.ToXml("network"));
        }

        var portgroup = await vim.PropertiesAsync(target, ["key", "config.distributedVirtualSwitch"], cancellationToken);
        var dvs = ManagedObject.From(portgroup["config.distributedVirtualSwitch"]);
        var uuid = (string?)(await vim.PropertiesAsync(dvs, ["uuid"], cancellationToken)).GetValueOrDefault("uuid");
        return Vim.Typed("backing", "VirtualEthernetCardDistributedVirtualPortBackingInfo",
            Vim.El("port", Vim.El("switchUuid", uuid), Vim.El("portgroupKey", (string?)portgroup["key"])));
    }

    private async Task<XElement?> EthernetCardAsync(ManagedObject vm, CancellationToken cancellationToken)
    {
        var devices = await vim.PropertiesAsync(vm, ["config.hardware.device"], cancellationToken);
        return devices.GetValueOrDefault("config.hardware.device")?.Elements()
            .FirstOrDefault(d => EthernetCards.Contains(Vim.TypeOf(d)));
    }

    /// <summary>The card as vSphere described it, with a new backing (when given) and connection state, its fields in schema order.</summary>
    private static XElement Edited(XElement card, XElement? backing, bool connected)
    {
        var device = new XElement(Vim.Ns + "device", card.Attributes(), card.Elements());
        if (backing is not null)
        {
            device.Child("backing")?.Remove();
            (device.Child("deviceInfo") ?? device.Child("key"))!.AddAfterSelf(backing);
        }

        device.Child("connectable")?.Remove();
        (device.Child("backing") ?? device.Child("deviceInfo") ?? device.Child("key"))!.AddAfterSelf(Connectable(connected));
        return device;
    }

    private static XElement Connectable(bool connected) =>
        Vim.El("connectable", Vim.El("startConnected", connected ? "true" : "false"), Vim.El("allowGuestControl", "true"), Vim.El("connected", connected ? "true" : "false"));

    /// <summary>Runs one port call, turning vSphere's faults and transport failures into the catalogue's errors.</summary>
    private async Task<T> Call<T>(CancellationToken cancellationToken, Func<Task<T>> call, string otherFaults = ErrorCatalogue.Unknown)
    {
        try
        {
            return await call();
        }
        catch (Exception e) when (e is not ProvisioningException && !(e is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            throw VsphereFaults.Translate(e, otherFaults);
        }
    }

    private Task Call(CancellationToken cancellationToken, Func<Task> call, string otherFaults = ErrorCatalogue.Unknown) =>
        Call(cancellationToken, async () =>
        {
            await call();
            return true;
        }, otherFaults);
}
