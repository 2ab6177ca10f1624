using System.Collections.Concurrent;
using System.Security.Cryptography;
using Provisioning.Core.Errors;

namespace Provisioning.Core.Releases;

/// <summary>Release artifacts as files under <c>&lt;DataDirectory&gt;/releases</c>, verified by SHA-256.</summary>
public sealed class ReleaseStore(DataDirectory dataDirectory)
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
            return new ProvisioningError(ErrorCatalogue.ReleaseUnavailable, $"Artifact '{release.ArtifactFileName}' of release {release.Id} is not in the release store.");
        }

        var actual = await CachedHashAsync(path, cancellationToken);
        return actual == release.Sha256
            ? null
            : new ProvisioningError(ErrorCatalogue.ChecksumMismatch, $"Artifact of release {release.Id} has SHA-256 {actual}, expected {release.Sha256}.");
    }

    public async Task<bool> IsAvailableAsync(Release release, CancellationToken cancellationToken) =>
        await CheckAsync(release, cancellationToken) is null;

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
        catch (FileNotFoundException e)
        {
            throw new ProvisioningException(ErrorCatalogue.ReleaseUnavailable, $"Artifact '{release.ArtifactFileName}' of release {release.Id} is not in the release store.", e);
        }

        var actual = await HashFileAsync(partial, cancellationToken);
        if (actual != release.Sha256)
        {
            File.Delete(partial);
            throw new ProvisioningException(ErrorCatalogue.ChecksumMismatch, $"Artifact of release {release.Id} has SHA-256 {actual}, expected {release.Sha256}.");
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
        if (expectedSha256 is not null && !string.Equals(expectedSha256, actual, StringComparison.OrdinalIgnoreCase))
        {
            File.Delete(partial);
            return (actual, $"The body has SHA-256 {actual}, not {expectedSha256.ToLowerInvariant()}.");
        }

        File.Move(partial, path, overwrite: true);
        release.RecordChecksum(actual);
        return (actual, null);
    }

    public void Remove(Release release) => File.Delete(ArtifactPath(release));

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
