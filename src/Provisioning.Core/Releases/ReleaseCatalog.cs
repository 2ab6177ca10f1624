using System.Collections.Frozen;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Provisioning.Core.Persistence;
using Provisioning.Core.Steps;
using Provisioning.Core.Templates;

namespace Provisioning.Core.Releases;

public sealed record ReleaseView(
    string Id, string Name, string Version, string Template, bool Available, int DefaultCpu, int DefaultMemoryGb, string Sha256,
    string? Description = null, string? Source = null, bool Retired = false);

/// <summary>A release a platform admin creates (<c>POST /api/v1/platform/releases</c>).</summary>
public sealed record NewRelease(string Name, string Version, string Template, int DefaultCpu, int DefaultMemoryGb, string? Description, string? Source);

public enum PublishOutcome
{
    Published,
    UnknownRelease,
    ChecksumMismatch,

    /// <summary>Not what the release's template reads (an <c>app</c> release's manifest that does not parse).</summary>
    InvalidArtifact,
}

public enum CreateReleaseOutcome
{
    Created,
    Exists,
    UnknownTemplate,
}

/// <summary>The limits of a release's fields, shared by the API's checks and the database's columns.</summary>
public static class ReleaseRules
{
    public const int MaxDescriptionLength = 500;
    public const int MaxSourceLength = 500;
}

/// <summary>The releases people can request, with whether each is available, and how platform admins publish them.</summary>
public sealed class ReleaseCatalog(
    IDbContextFactory<ProvisioningDbContext> dbFactory, IReleaseStore store, TemplateCatalog templates, IEnumerable<IProvisioningStep> builtInSteps,
    TimeProvider time)
{
    // The built-in steps that read the release manifest, as they say of themselves.
    private readonly FrozenSet<string> _manifestReaders = builtInSteps.OfType<IReadsReleaseManifest>().Cast<IProvisioningStep>()
        .Select(s => s.Name).ToFrozenSet(StringComparer.Ordinal);

    /// <summary>The releases that can be requested; with <paramref name="includeRetired"/>, the retired ones too (platform admins).</summary>
    public async Task<IReadOnlyList<ReleaseView>> ListAsync(CancellationToken cancellationToken, bool includeRetired = false)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var query = db.Releases.AsNoTracking();
        if (!includeRetired)
        {
            query = query.Where(r => r.RetiredAt == null);
        }

        var releases = await query.OrderBy(r => r.Name).ThenBy(r => r.Version).ToListAsync(cancellationToken);
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

        // Checked before anything is stored: an artifact its template cannot read would only fail a workspace later.
        using var buffered = new MemoryStream();
        await content.CopyToAsync(buffered, cancellationToken);
        if (InvalidFor(release, buffered) is { } invalid)
        {
            return (PublishOutcome.InvalidArtifact, null, invalid);
        }

        buffered.Position = 0;
        var (_, mismatch) = await store.PublishAsync(release, buffered, expectedSha256, cancellationToken);
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

    /// <summary>Adds a release of a loaded template; its artifact is published afterwards (PUT …/artifact).</summary>
    public async Task<(CreateReleaseOutcome Outcome, ReleaseView? Release)> CreateAsync(NewRelease request, CancellationToken cancellationToken)
    {
        if (templates.Find(request.Template) is not { } template)
        {
            return (CreateReleaseOutcome.UnknownTemplate, null);
        }

        // An app-like template reads a JSON manifest; others take whatever the platform team ships.
        var extension = ReadsManifest(template) ? "json" : "artifact";
        var release = new Release(request.Name, request.Version, request.Template, $"{request.Name}-{request.Version}.{extension}",
            new string('0', 64), request.DefaultCpu, request.DefaultMemoryGb);
        release.Describe(request.Description, request.Source);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (await db.Releases.AnyAsync(r => r.Id == release.Id, cancellationToken))
        {
            return (CreateReleaseOutcome.Exists, null);
        }

        db.Releases.Add(release);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (db.IsUniqueViolation(e))
        {
            return (CreateReleaseOutcome.Exists, null);
        }

        return (CreateReleaseOutcome.Created, await ViewAsync(release, cancellationToken));
    }

    /// <summary>Hides the release from new requests; its workspaces keep it. Null when there is no such release.</summary>
    public async Task<ReleaseView?> RetireAsync(string id, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var release = await db.Releases.SingleOrDefaultAsync(r => r.Id == id, cancellationToken);
        if (release is null)
        {
            return null;
        }

        release.Retire(time.GetUtcNow());
        await db.SaveChangesAsync(cancellationToken);
        return await ViewAsync(release, cancellationToken);
    }

    /// <summary>Why <paramref name="artifact"/> is not what the release's template reads; null when it is.</summary>
    private string? InvalidFor(Release release, MemoryStream artifact)
    {
        if (templates.Find(release.Template) is not { } template || !ReadsManifest(template))
        {
            return null;
        }

        try
        {
            artifact.Position = 0;
            _ = ReleaseManifest.Parse(artifact);
            return null;
        }
        catch (Exception e) when (e is JsonException or InvalidDataException)
        {
            return $"Release {release.Id} provisions with template '{release.Template}', which reads a release manifest; this is not one: {e.Message}";
        }
    }

    private bool ReadsManifest(ProvisioningTemplate template) =>
        template.Steps.Any(s => s.Action is BuiltInAction b && _manifestReaders.Contains(b.Step));

    private async Task<ReleaseView> ViewAsync(Release r, CancellationToken cancellationToken) =>
        new(r.Id, r.Name, r.Version, r.Template, await store.IsAvailableAsync(r, cancellationToken), r.DefaultCpu, r.DefaultMemoryGb, r.Sha256,
            r.Description, r.Source, r.IsRetired);
}
