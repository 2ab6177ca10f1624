using System.Collections.Concurrent;
using System.Security.Cryptography;
using Provisioning.Core.Errors;

namespace Provisioning.Core.Releases;

/// <summary>Release artifacts as files under <c>&lt;DataDirectory&gt;/releases</c>, verified by SHA-256: the one node of the embedded default.</summary>
public sealed class FileReleaseStore(DataDirectory dataDirectory) : IReleaseStore
{
    // Listing releases checks every artifact; hash a file again only when it changed.
    private readonly ConcurrentDictionary<string, (long Length, DateTime Modified, string Sha256)> _hashes = new();

    public string ArtifactPath(Release release) => Path.Combine(dataDirectory.Releases, release.ArtifactFileName);

    /// <summary>Null when the artifact is there and intact; otherwise the error a fetch would fail with.</summary>
    public async Task<ProvisioningError?> CheckAsync(Release release, CancellationToken cancellationToken)
    {
        var path = ArtifactPath(release);
        if (!File.Exists(path))
        {
            return ProvisioningError.From(IReleaseStore.Missing(release));
        }

        var actual = await CachedHashAsync(path, cancellationToken);
        return actual == release.Sha256 ? null : ProvisioningError.From(IReleaseStore.Mismatch(release, actual));
    }

    /// <summary>Copies the artifact to <paramref name="destination"/> and verifies the copy's checksum.</summary>
    public async Task FetchAsync(Release release, string destination, CancellationToken cancellationToken)
    {
        var source = ArtifactPath(release);
        Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
        var partial = destination + ".partial";
        try
        {
            await using (var input = File.OpenRead(source))
            await using (var output = File.Create(partial))
            {
                await input.CopyToAsync(output, cancellationToken);
            }
        }
        catch (FileNotFoundException)
        {
            throw IReleaseStore.Missing(release);
        }

        var actual = await HashFileAsync(partial, cancellationToken);
        if (actual != release.Sha256)
        {
            File.Delete(partial);
            throw IReleaseStore.Mismatch(release, actual);
        }

        File.Move(partial, destination, overwrite: true);
    }

    /// <summary>
    /// Publishes an artifact. When <paramref name="expectedSha256"/> is given and differs from the bytes,
    /// nothing is stored and the actual checksum is returned in the error.
    /// </summary>
    public async Task<(string Sha256, string? Mismatch)> PublishAsync(Release release, Stream content, string? expectedSha256, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(dataDirectory.Releases);
        var path = ArtifactPath(release);
        var partial = path + $".{Guid.NewGuid():N}.partial";
        await using (var output = File.Create(partial))
        {
            await content.CopyToAsync(output, cancellationToken);
        }

        var actual = await HashFileAsync(partial, cancellationToken);
        if (IReleaseStore.MismatchOf(expectedSha256, actual) is { } mismatch)
        {
            File.Delete(partial);
            return (actual, mismatch);
        }

        File.Move(partial, path, overwrite: true);
        release.RecordChecksum(actual);
        return (actual, null);
    }

    public Task RemoveAsync(Release release, CancellationToken cancellationToken)
    {
        File.Delete(ArtifactPath(release));
        return Task.CompletedTask;
    }

    private async Task<string> CachedHashAsync(string path, CancellationToken cancellationToken)
    {
        var file = new FileInfo(path);
        if (_hashes.TryGetValue(path, out var known) && known.Length == file.Length && known.Modified == file.LastWriteTimeUtc)
        {
            return known.Sha256;
        }

        var sha256 = await HashFileAsync(path, cancellationToken);
        _hashes[path] = (file.Length, file.LastWriteTimeUtc, sha256);
        return sha256;
    }

    public static async Task<string> HashFileAsync(string path, CancellationToken cancellationToken)
    {
        await using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken));
    }
}
