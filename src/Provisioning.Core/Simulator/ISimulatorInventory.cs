namespace Provisioning.Core.Simulator;

/// <summary>
/// Where the simulator keeps its live resources and its capacity: in memory, written through to the database, for
/// one process (<see cref="InMemoryInventory"/>, SQLite, ADR-007); or in the database alone, for any number of
/// portal nodes (<see cref="DatabaseInventory"/>, PostgreSQL). Every create is idempotent by name and books capacity
/// atomically; every delete frees it once.
/// </summary>
internal interface ISimulatorInventory
{
    /// <summary>Whether this process is the only one changing the simulator, so what it last read stays true.</summary>
    bool OwnedByThisProcess { get; }

    /// <summary>Loads what is there; the first time the simulator ever runs, sets the configured capacity.</summary>
    Task InitializeAsync(CancellationToken cancellationToken);

    Task<SimulatedResource> CreateAsync(Guid workspaceId, string name, string kind, int cpu, int memoryGb, CancellationToken cancellationToken);

    Task<SimulatedResource?> FindAsync(string name, CancellationToken cancellationToken);

    /// <summary>Changes a live resource; <paramref name="missing"/> says what to throw when there is none of that name.</summary>
    Task<SimulatedResource> ChangeAsync(string name, Action<SimulatedResource> change, Func<Exception> missing, CancellationToken cancellationToken);

    /// <summary>Deletes by name; deleting what is already gone succeeds.</summary>
    Task DeleteAsync(string name, CancellationToken cancellationToken);

    Task<CapacityReport> CapacityAsync(CancellationToken cancellationToken);

    Task<CapacityReport> SetCapacityAsync(int cpu, int memoryGb, CancellationToken cancellationToken);
}
