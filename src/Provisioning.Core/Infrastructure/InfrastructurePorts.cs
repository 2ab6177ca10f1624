namespace Provisioning.Core.Infrastructure;

/// <summary>
/// What a port knows of something it made: whether it runs, and since when it answers (null: not yet, or never). A
/// port that cannot tell when it will answer says when to look again (<paramref name="LookAgainAfter"/>); without it,
/// a null <paramref name="ReadyAt"/> stands until the deadline.
/// </summary>
public sealed record InfrastructureItem(string Name, string Kind, bool PoweredOn, DateTimeOffset? ReadyAt, TimeSpan? LookAgainAfter = null);

/// <summary>Every port names the adapter behind it (<c>simulator</c>, <c>vsphere</c>), for the platform pages.</summary>
public interface IInfrastructurePort
{
    string Adapter { get; }
}

/// <summary>
/// The small interfaces the built-in steps reach infrastructure through (DESIGN §5, "Adapters behind ports"). Every
/// call that makes something is idempotent by name — called again, it finds and reuses what it made — and every call
/// that removes something succeeds when it is already gone. The simulator is one adapter
/// (<see cref="Simulator.SimulatedInfrastructure"/>); a real one plugs in without touching the steps. Failures are
/// <see cref="Errors.ProvisioningException"/>s in the catalogue's codes.
/// </summary>
public interface IInfrastructureLookup : IInfrastructurePort
{
    /// <summary>The item named <paramref name="name"/>, or null when there is none.</summary>
    Task<InfrastructureItem?> FindAsync(string name, CancellationToken cancellationToken);
}

/// <summary>Virtual machines: cloned from a release's source, sized, powered on, destroyed.</summary>
public interface ICompute : IInfrastructureLookup
{
    /// <param name="source">What to clone (a template or VM in the hypervisor's inventory), from the release; null: the adapter's default.</param>
    Task CreateVmAsync(Guid workspaceId, string name, string? source, int cpu, int memoryGb, CancellationToken cancellationToken);

    /// <summary>Powers the VM on; it answers once its guest is up (<see cref="InfrastructureItem.ReadyAt"/>).</summary>
    Task PowerOnAsync(string name, CancellationToken cancellationToken);

    /// <summary>Powers off and destroys the VM.</summary>
    Task DestroyVmAsync(string name, CancellationToken cancellationToken);
}

/// <summary>Network attachments of a workspace's VM.</summary>
public interface INetwork : IInfrastructurePort
{
    Task ConnectAsync(Guid workspaceId, string vmName, string adapterName, CancellationToken cancellationToken);

    /// <summary>Whether the VM's adapter is there and connected.</summary>
    Task<bool> IsConnectedAsync(string vmName, string adapterName, CancellationToken cancellationToken);

    Task DisconnectAsync(string vmName, string adapterName, CancellationToken cancellationToken);
}

/// <summary>Where an application runs: a deployment sized as requested, with its volume.</summary>
public interface IRuntime : IInfrastructureLookup
{
    /// <param name="becomesReady">Whether the release's runtime ever answers (its manifest says so): a broken one never does.</param>
    Task StartAsync(Guid workspaceId, string deployment, string volume, int cpu, int memoryGb, bool becomesReady, CancellationToken cancellationToken);

    Task StopAsync(string deployment, string volume, CancellationToken cancellationToken);
}

/// <summary>The platform's shared services a workspace registers with, and the API keys its gateway holds.</summary>
public interface IServiceRegistry : IInfrastructureLookup
{
    Task RegisterAsync(Guid workspaceId, string registration, CancellationToken cancellationToken);

    Task DeregisterAsync(string registration, CancellationToken cancellationToken);

    /// <summary>Makes the key <paramref name="name"/>, held by the gateway as <paramref name="protectedSecret"/> (made once: a second call keeps the first).</summary>
    Task IssueApiKeyAsync(Guid workspaceId, string name, Func<string> protectedSecret, CancellationToken cancellationToken);

    Task RevokeApiKeyAsync(string name, CancellationToken cancellationToken);
}
