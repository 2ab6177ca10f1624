using Provisioning.Core.Infrastructure;

namespace Provisioning.Core.Steps;

/// <summary>What happens to a step's resources when the attempt it belongs to fails.</summary>
public enum ResourcePolicy
{
    /// <summary>Compensate: delete what the step created, so the next attempt runs it again.</summary>
    Release,

    /// <summary>Keep it on purpose so a retry reuses it (seed 001 keeps the tenant database).</summary>
    Retain,
}

/// <summary>
/// A built-in step that reads the release manifest <c>fetch_release</c> brought: a release of a template that uses
/// one must ship a manifest, and an artifact that is not one is refused when it is published.
/// </summary>
public interface IReadsReleaseManifest;

/// <summary>A resource a step will create, under the name that makes its creation idempotent.</summary>
public sealed record PlannedResource(string Kind, string ExternalId);

/// <summary>
/// One step of a provisioning plan. Both methods must be idempotent: running <see cref="ExecuteAsync"/>
/// again after it already did its work finds and reuses that work, and compensating something already
/// gone succeeds. A step reports failures as <see cref="Errors.ProvisioningException"/>.
/// </summary>
public interface IProvisioningStep
{
    /// <summary>The plan's name for the step, e.g. <c>clone_vm</c>.</summary>
    string Name { get; }

    ResourcePolicy OnFailure { get; }

    /// <summary>
    /// What the step creates. The engine records these in the same commit that starts the step, before
    /// anything exists, so a crash can never leave a resource nobody knows about.
    /// </summary>
    IReadOnlyList<PlannedResource> Resources(StepContext context) => [];

    /// <summary>The infrastructure the step makes things on (its ports), so the platform pages can say which adapter a template uses.</summary>
    IReadOnlyList<IInfrastructurePort> Infrastructure => [];

    Task ExecuteAsync(StepContext context);

    Task CompensateAsync(StepContext context);
}
