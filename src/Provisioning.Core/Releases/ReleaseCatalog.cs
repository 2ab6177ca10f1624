using Microsoft.EntityFrameworkCore;
using Provisioning.Core.Persistence;

namespace Provisioning.Core.Releases;

public sealed record ReleaseView(string Id, string Name, string Version, string Template, bool Available, int DefaultCpu, int DefaultMemoryGb, string Sha256);

public enum PublishOutcome
{
    Published,
    UnknownRelease,
    ChecksumMismatch,
}

/// <summary>The releases people can request, with whether each is available, and how platform admins publish them.</summary>
public sealed class ReleaseCatalog(IDbContextFactory<ProvisioningDbContext> dbFactory, IReleaseStore store)
{
    public async Task<IReadOnlyList<ReleaseView>> ListAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var releases = await db.Releases.AsNoTracking().OrderBy(r => r.Name).ThenBy(r => r.Version).ToListAsync(cancellationToken);
        var views = new List<ReleaseView>(releases.Count);
        foreach (var release in releases)
        {
            views.Add(await ViewAsync(release, cancellationToken));
        }

        return views;
    }

    public async Task<ReleaseView?> FindAsync(string id, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var release = await db.Releases.AsNoTracking().SingleOrDefaultAsync(r => r.Id == id, cancellationToken);
        return release is null ? null : await ViewAsync(release, cancellationToken);
    }

    /// <summary>Stores the artifact and records its checksum; with an expected checksum that differs, stores nothing.</summary>
    public async Task<(PublishOutcome Outcome, ReleaseView? Release, string? Detail)> PublishAsync(
        string id, Stream content, string? expectedSha256, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var release = await db.Releases.SingleOrDefaultAsync(r => r.Id == id, cancellationToken);
        if (release is null)
        {
            return (PublishOutcome.UnknownRelease, null, null);
        }

        var (_, mismatch) = await store.PublishAsync(release, content, expectedSha256, cancellationToken);
        if (mismatch is not null)
        {
            return (PublishOutcome.ChecksumMismatch, null, mismatch);
        }

        await db.SaveChangesAsync(cancellationToken);
        return (PublishOutcome.Published, await ViewAsync(release, cancellationToken), null);
    }

    /// <summary>Removes the artifact: the release becomes unavailable. False when the release does not exist.</summary>
    public async Task<bool> RemoveArtifactAsync(string id, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var release = await db.Releases.AsNoTracking().SingleOrDefaultAsync(r => r.Id == id, cancellationToken);
        if (release is null)
        {
            return false;
        }

        await store.RemoveAsync(release, cancellationToken);
        return true;
    }

    private async Task<ReleaseView> ViewAsync(Release r, CancellationToken cancellationToken) =>
        new(r.Id, r.Name, r.Version, r.Template, await store.IsAvailableAsync(r, cancellationToken), r.DefaultCpu, r.DefaultMemoryGb, r.Sha256);
}
