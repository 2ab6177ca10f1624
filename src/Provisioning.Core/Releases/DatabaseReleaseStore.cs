using Microsoft.EntityFrameworkCore;
using Provisioning.Core.Errors;
using Provisioning.Core.Persistence;

namespace Provisioning.Core.Releases;

/// <summary>A release's artifact, kept in the portal's PostgreSQL database so that every node has it.</summary>
public sealed class ReleaseArtifact
{
    private ReleaseArtifact()
    {
    }

    public ReleaseArtifact(string releaseId, byte[] content, string sha256, DateTimeOffset uploadedAt)
    {
        ReleaseId = releaseId;
        Content = content;
        Sha256 = sha256;
        UploadedAt = uploadedAt;
    }

    public string ReleaseId { get; private set; } = "";

    public byte[] Content { get; private set; } = [];

    /// <summary>The content's SHA-256, kept so that checking a release reads 64 characters, not the artifact.</summary>
    public string Sha256 { get; private set; } = "";

    public DateTimeOffset UploadedAt { get; private set; }

    internal void Replace(byte[] content, string sha256, DateTimeOffset uploadedAt)
    {
        Content = content;
        Sha256 = sha256;
        UploadedAt = uploadedAt;
    }
}

/// <summary>
/// Release artifacts in the portal's PostgreSQL database (bytea): an upload on one node is available on all, and a
/// fetch on any node copies it to that node's workspace folder and verifies it there.
/// </summary>
public sealed class DatabaseReleaseStore(IDbContextFactory<ProvisioningDbContext> dbFactory, TimeProvider time) : IReleaseStore
{
    public async Task<ProvisioningError?> CheckAsync(Release release, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var stored = await db.Set<ReleaseArtifact>().AsNoTracking().Where(a => a.ReleaseId == release.Id).Select(a => a.Sha256).SingleOrDefaultAsync(cancellationToken);
        return stored switch
        {
            null => ProvisioningError.From(IReleaseStore.Missing(release)),
            _ when stored == release.Sha256 => null,
            _ => ProvisioningError.From(IReleaseStore.Mismatch(release, stored)),
        };
    }

    public async Task FetchAsync(Release release, string destination, CancellationToken cancellationToken)
    {
        byte[] content;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            content = await db.Set<ReleaseArtifact>().AsNoTracking().Where(a => a.ReleaseId == release.Id).Select(a => a.Content).SingleOrDefaultAsync(cancellationToken)
                ?? throw IReleaseStore.Missing(release);
        }

        // Verified as it arrives, whatever the stored checksum says.
        var actual = IReleaseStore.Sha256Of(content);
        if (actual != release.Sha256)
        {
            throw IReleaseStore.Mismatch(release, actual);
        }

        Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
        var partial = destination + ".partial";
        await File.WriteAllBytesAsync(partial, content, cancellationToken);
        File.Move(partial, destination, overwrite: true);
    }

    public async Task<(string Sha256, string? Mismatch)> PublishAsync(Release release, Stream content, string? expectedSha256, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        await content.CopyToAsync(buffer, cancellationToken);
        var bytes = buffer.ToArray();
        var actual = IReleaseStore.Sha256Of(bytes);
        if (IReleaseStore.MismatchOf(expectedSha256, actual) is { } mismatch)
        {
            return (actual, mismatch);
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var stored = await db.Set<ReleaseArtifact>().SingleOrDefaultAsync(a => a.ReleaseId == release.Id, cancellationToken);
        if (stored is null)
        {
            db.Set<ReleaseArtifact>().Add(new ReleaseArtifact(release.Id, bytes, actual, time.GetUtcNow()));
        }
        else
        {
            stored.Replace(bytes, actual, time.GetUtcNow());
        }

        await db.SaveChangesAsync(cancellationToken);
        release.RecordChecksum(actual);
        return (actual, null);
    }

    public async Task RemoveAsync(Release release, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await db.Set<ReleaseArtifact>().Where(a => a.ReleaseId == release.Id).ExecuteDeleteAsync(cancellationToken);
    }
}
