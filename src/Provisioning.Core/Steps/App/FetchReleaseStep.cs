using Provisioning.Core.Releases;

namespace Provisioning.Core.Steps.App;

/// <summary>Copies the release artifact into the workspace's folder and verifies its SHA-256.</summary>
public sealed class FetchReleaseStep(IReleaseStore releases, DataDirectory dataDirectory) : IProvisioningStep
{
    public string Name => StepNames.FetchRelease;

    public ResourcePolicy OnFailure => ResourcePolicy.Release;

    public string ArtifactPath(StepContext context) =>
        Path.Combine(dataDirectory.WorkspaceFolder(context.WorkspaceId), "artifact", context.Release.ArtifactFileName);

    public IReadOnlyList<PlannedResource> Resources(StepContext context) =>
        [new("artifact", Path.GetRelativePath(dataDirectory.Root, ArtifactPath(context)))];

    public Task ExecuteAsync(StepContext context) =>
        releases.FetchAsync(context.Release, ArtifactPath(context), context.CancellationToken);

    public Task CompensateAsync(StepContext context)
    {
        // The copy may never have been made here (the fetch failed, or ran on another node): nothing to delete then.
        var path = ArtifactPath(context);
        if (File.Exists(path))
        {
            File.Delete(path);
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// The fetched artifact's manifest, for the steps after this one. Fetched again, verified, when this node does not
    /// have the copy: the attempt may have moved here from a node that died, and a node never needs another's disk.
    /// </summary>
    public async Task<ReleaseManifest> ManifestAsync(StepContext context)
    {
        var path = ArtifactPath(context);
        if (!File.Exists(path))
        {
            await releases.FetchAsync(context.Release, path, context.CancellationToken);
        }

        await using var artifact = File.OpenRead(path);
        return ReleaseManifest.Parse(artifact);
    }
}
