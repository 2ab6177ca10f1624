using System.Security.Cryptography;
using Provisioning.Core.Errors;

namespace Provisioning.Core.Releases;

/// <summary>
/// Where release artifacts are kept and checked against their SHA-256: files on the one node of the embedded default
/// (<see cref="FileReleaseStore"/>), or the portal's PostgreSQL database, which every node reads
/// (<see cref="DatabaseReleaseStore"/>). Chosen once from <c>Database:Provider</c>.
/// </summary>
public interface IReleaseStore
{
    /// <summary>Null when the artifact is there and intact; otherwise the error a fetch would fail with.</summary>
    Task<ProvisioningError?> CheckAsync(Release release, CancellationToken cancellationToken);

    async Task<bool> IsAvailableAsync(Release release, CancellationToken cancellationToken) =>
        await CheckAsync(release, cancellationToken) is null;

    /// <summary>Copies the artifact to the local file <paramref name="destination"/> and verifies the copy's checksum.</summary>
    Task FetchAsync(Release release, string destination, CancellationToken cancellationToken);

    /// <summary>
    /// Publishes an artifact and records its checksum on <paramref name="release"/> (the caller saves it). When
    /// <paramref name="expectedSha256"/> is given and differs from the bytes, nothing is stored and the error says why.
    /// </summary>
    Task<(string Sha256, string? Mismatch)> PublishAsync(Release release, Stream content, string? expectedSha256, CancellationToken cancellationToken);

    /// <summary>Removes the artifact: the release becomes unavailable.</summary>
    Task RemoveAsync(Release release, CancellationToken cancellationToken);

    static ProvisioningException Missing(Release release) =>
        new(ErrorCatalogue.ReleaseUnavailable, $"Artifact '{release.ArtifactFileName}' of release {release.Id} is not in the release store.");

    static ProvisioningException Mismatch(Release release, string actual) =>
        new(ErrorCatalogue.ChecksumMismatch, $"Artifact of release {release.Id} has SHA-256 {actual}, expected {release.Sha256}.");

    static string? MismatchOf(string? expectedSha256, string actual) =>
        expectedSha256 is not null && !string.Equals(expectedSha256, actual, StringComparison.OrdinalIgnoreCase)
            ? $"The body has SHA-256 {actual}, not {expectedSha256.ToLowerInvariant()}."
            : null;

    static string Sha256Of(byte[] content) => Convert.ToHexStringLower(SHA256.HashData(content));
}
