using Provisioning.Core.Releases;

namespace Provisioning.Core.Steps.App;

/// <summary>Copies the release artifact into the workspace's folder and verifies its SHA-256.</summary>
public sealed class FetchReleaseStep(ReleaseStore releases, DataDirectory dataDirectory) : IProvisioningStep
{
    public string Name => StepNames.FetchRelease;

    public ResourcePolicy OnFailure => ResourcePolicy.Release;

    public string ArtifactPath(StepContext context) =>
        Path.Combine(dataDirectory.WorkspaceFolder(context.WorkspaceId), "artifact", context.Release.ArtifactFileName);

    public async Task ExecuteAsync(StepContext context)
    {
        var destination = ArtifactPath(context);
        await context.TrackAsync("artifact", Path.GetRelativePath(dataDirectory.Root, destination));
        await releases.FetchAsync(context.Release, destination, context.CancellationToken);
    }

    public Task CompensateAsync(StepContext context)
    {
        File.Delete(ArtifactPath(context));
        return Task.CompletedTask;
    }
}
