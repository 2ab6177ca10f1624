using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Provisioning.Core.Engine;
using Provisioning.Core.Errors;
using Provisioning.Core.Infrastructure;
using Provisioning.Core.Persistence;

namespace Provisioning.Core.Simulator;

public sealed record CapacityReport(int Cpu, int MemoryGb, int UsedCpu, int UsedMemoryGb)
{
    public int FreeCpu => Cpu - UsedCpu;

    public int FreeMemoryGb => MemoryGb - UsedMemoryGb;
}

/// <summary>
/// The embedded stand-in for a real cluster (like VCSIM in seed 003): finite capacity with real arithmetic,
/// an inventory, readiness delays and fault injection. Every create is idempotent by name. It is the adapter behind
/// the built-in steps' ports (<see cref="ICompute"/>, <see cref="INetwork"/>, <see cref="IRuntime"/>,
/// <see cref="IServiceRegistry"/>) when no real infrastructure is configured.
/// </summary>
/// <remarks>
/// Where the inventory lives is the one thing that differs between providers (<see cref="ISimulatorInventory"/>): in
/// memory, written through, for the one process of the embedded default (ADR-007); in the database, for every node
/// sharing a PostgreSQL database. Faults always live in the database.
/// </remarks>
public sealed class SimulatedInfrastructure(
    IDbContextFactory<ProvisioningDbContext> dbFactory,
    IOptions<SimulatorOptions> options,
    TimeProvider time,
    PortalDatabase database) : IFaultInjector, ICompute, INetwork, IRuntime, IServiceRegistry
{
    private readonly ISimulatorInventory _inventory = database.Provider == DatabaseProvider.Postgres
        ? new DatabaseInventory(dbFactory, options, time)
        : new InMemoryInventory(dbFactory, options, time);

    // Most runs have no faults at all; while this process is the simulator's only writer, that spares a query per step.
    private volatile int _faultCount = -1;

    public Task<SimulatedResource> CreateAsync(
        Guid workspaceId, string name, string kind, int cpu, int memoryGb, CancellationToken cancellationToken) =>
        _inventory.CreateAsync(workspaceId, name, kind, cpu, memoryGb, cancellationToken);

    public Task<SimulatedResource?> FindAsync(string name, CancellationToken cancellationToken) => _inventory.FindAsync(name, cancellationToken);

    /// <summary>Starts a VM or runtime; it becomes ready after the readiness delay, or never.</summary>
    public Task<SimulatedResource> PowerOnAsync(string name, bool becomesReady, CancellationToken cancellationToken) =>
        _inventory.ChangeAsync(name, r => r.PowerOn(becomesReady ? time.GetUtcNow() + options.Value.ReadinessDelay : null),
            () => new ProvisioningException(ErrorCatalogue.VmConfigInvalid, $"Cannot power on '{name}': it does not exist."), cancellationToken);

    public Task HoldSecretAsync(string name, string protectedSecret, CancellationToken cancellationToken) =>
        _inventory.ChangeAsync(name, r => r.HoldSecret(protectedSecret),
            () => new InvalidOperationException($"The simulator has no resource '{name}' to hold a secret."), cancellationToken);

    /// <summary>Deletes by name; deleting what is already gone succeeds.</summary>
    public Task DeleteAsync(string name, CancellationToken cancellationToken) => _inventory.DeleteAsync(name, cancellationToken);

    // The ports of the built-in steps, on the simulated inventory: each made thing is a resource of its kind.
    public string Adapter => "simulator";

    async Task<InfrastructureItem?> IInfrastructureLookup.FindAsync(string name, CancellationToken cancellationToken) =>
        await FindAsync(name, cancellationToken) is { } r ? new InfrastructureItem(r.Name, r.Kind, r.PoweredOn, r.ReadyAt) : null;

    Task ICompute.CreateVmAsync(Guid workspaceId, string name, string? source, int cpu, int memoryGb, CancellationToken cancellationToken) =>
        CreateAsync(workspaceId, name, "vm", cpu, memoryGb, cancellationToken);

    Task ICompute.PowerOnAsync(string name, CancellationToken cancellationToken) => PowerOnAsync(name, becomesReady: true, cancellationToken);

    Task ICompute.DestroyVmAsync(string name, CancellationToken cancellationToken) => DeleteAsync(name, cancellationToken);

    Task INetwork.ConnectAsync(Guid workspaceId, string vmName, string adapterName, CancellationToken cancellationToken) =>
        CreateAsync(workspaceId, adapterName, "network", 0, 0, cancellationToken);

    async Task<bool> INetwork.IsConnectedAsync(string vmName, string adapterName, CancellationToken cancellationToken) =>
        await FindAsync(adapterName, cancellationToken) is not null;

    Task INetwork.DisconnectAsync(string vmName, string adapterName, CancellationToken cancellationToken) => DeleteAsync(adapterName, cancellationToken);

    async Task IRuntime.StartAsync(Guid workspaceId, string deployment, string volume, int cpu, int memoryGb, bool becomesReady, CancellationToken cancellationToken)
    {
        await CreateAsync(workspaceId, volume, "volume", 0, 0, cancellationToken);
        await CreateAsync(workspaceId, deployment, "deployment", cpu, memoryGb, cancellationToken);
        await PowerOnAsync(deployment, becomesReady, cancellationToken);
    }

    async Task IRuntime.StopAsync(string deployment, string volume, CancellationToken cancellationToken)
    {
        await DeleteAsync(deployment, cancellationToken);
        await DeleteAsync(volume, cancellationToken);
    }

    Task IServiceRegistry.RegisterAsync(Guid workspaceId, string registration, CancellationToken cancellationToken) =>
        CreateAsync(workspaceId, registration, "registration", 0, 0, cancellationToken);

    Task IServiceRegistry.DeregisterAsync(string registration, CancellationToken cancellationToken) => DeleteAsync(registration, cancellationToken);

    async Task IServiceRegistry.IssueApiKeyAsync(Guid workspaceId, string name, Func<string> protectedSecret, CancellationToken cancellationToken)
    {
        var key = await CreateAsync(workspaceId, name, "api_key", 0, 0, cancellationToken);
        if (key.ProtectedSecret is null)
        {
            await HoldSecretAsync(name, protectedSecret(), cancellationToken);
        }
    }

    Task IServiceRegistry.RevokeApiKeyAsync(string name, CancellationToken cancellationToken) => DeleteAsync(name, cancellationToken);

    public async Task<IReadOnlyList<SimulatedResource>> InventoryAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.SimulatedResources.AsNoTracking().OrderBy(r => r.CreatedAt).ToListAsync(cancellationToken);
    }

    public Task<CapacityReport> CapacityAsync(CancellationToken cancellationToken) => _inventory.CapacityAsync(cancellationToken);

    public Task<CapacityReport> SetCapacityAsync(int cpu, int memoryGb, CancellationToken cancellationToken) =>
        _inventory.SetCapacityAsync(cpu, memoryGb, cancellationToken);

    public async Task<SimulatedFault> AddFaultAsync(SimulatedFault fault, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        db.SimulatedFaults.Add(fault);
        await db.SaveChangesAsync(cancellationToken);
        _faultCount = -1;
        return fault;
    }

    public async Task<IReadOnlyList<SimulatedFault>> FaultsAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.SimulatedFaults.AsNoTracking().OrderBy(f => f.CreatedAt).ToListAsync(cancellationToken);
    }

    public async Task ClearFaultsAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        db.SimulatedFaults.RemoveRange(await db.SimulatedFaults.ToListAsync(cancellationToken));
        await db.SaveChangesAsync(cancellationToken);
        _faultCount = -1;
    }

    /// <summary>Applies the faults registered for this step and phase: latency first, then the error.</summary>
    public async ValueTask BeforeAsync(string step, FaultPhase phase, CancellationToken cancellationToken)
    {
        if (_faultCount == 0 && _inventory.OwnedByThisProcess)
        {
            return;
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (_faultCount < 0 || !_inventory.OwnedByThisProcess)
        {
            _faultCount = await db.SimulatedFaults.CountAsync(cancellationToken);
            if (_faultCount == 0)
            {
                return;
            }
        }

        var fault = await db.InWriteTransactionAsync(async () =>
        {
            var matching = await db.SimulatedFaults
                .Where(f => f.Step == step && f.On == phase && (f.Remaining == null || f.Remaining > 0))
                .OrderBy(f => f.CreatedAt)
                .FirstOrDefaultAsync(cancellationToken);
            if (matching is null || (matching.Probability is { } p && Random.Shared.NextDouble() >= p))
            {
                return null;
            }

            // Taken in one conditional UPDATE: two nodes never both take the last one.
            if (matching.Remaining is not null
                && await db.SimulatedFaults.Where(f => f.Id == matching.Id && f.Remaining > 0)
                    .ExecuteUpdateAsync(set => set.SetProperty(f => f.Remaining, f => f.Remaining - 1), cancellationToken) == 0)
            {
                return null;
            }

            return matching;
        }, cancellationToken);

        if (fault is null)
        {
            return;
        }

        if (fault.LatencyMs > 0)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(fault.LatencyMs), time, cancellationToken);
        }

        if (fault.Code is not null)
        {
            throw new ProvisioningException(fault.Code, $"Simulated fault on {step} ({phase.ToString().ToLowerInvariant()}): {fault.Code}.");
        }
    }

    /// <summary>Loads the inventory; the first time the simulator ever runs, sets the configured capacity.</summary>
    public Task InitializeAsync(CancellationToken cancellationToken) => _inventory.InitializeAsync(cancellationToken);

    internal static CapacityReport Report(SimulatedCapacity capacity) =>
        new(capacity.Cpu, capacity.MemoryGb, capacity.UsedCpu, capacity.UsedMemoryGb);

    internal static ProvisioningException Insufficient(string kind, string name, int cpu, int memoryGb, CapacityReport free) =>
        new(ErrorCatalogue.InsufficientResources,
            $"InsufficientResourcesFault: {kind} '{name}' needs {cpu} CPU / {memoryGb} GB; free are {free.FreeCpu} CPU / {free.FreeMemoryGb} GB of {free.Cpu} / {free.MemoryGb}.");

    /// <summary>The capacity row, made from <c>Simulator:Capacity</c> the first time the simulator ever runs.</summary>
    internal static async Task<SimulatedCapacity> EnsureCapacityAsync(ProvisioningDbContext db, SimulatorOptions options, CancellationToken cancellationToken)
    {
        if (await db.SimulatedCapacity.AsNoTracking().SingleOrDefaultAsync(cancellationToken) is { } capacity)
        {
            return capacity;
        }

        capacity = new SimulatedCapacity { Cpu = options.Capacity.Cpu, MemoryGb = options.Capacity.MemoryGb };
        db.SimulatedCapacity.Add(capacity);
        await db.SaveChangesAsync(cancellationToken);
        return capacity;
    }
}
