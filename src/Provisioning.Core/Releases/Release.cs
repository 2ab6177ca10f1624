namespace Provisioning.Core.Releases;

/// <summary>
/// A versioned, provisionable product. It is available when its artifact exists in the release
/// store and matches <see cref="Sha256"/>.
/// </summary>
public sealed class Release
{
    private Release()
    {
    }

    public Release(string name, string version, string template, string artifactFileName, string sha256, int defaultCpu, int defaultMemoryGb)
    {
        Id = $"{name}@{version}";
        Name = name;
        Version = version;
        Template = template;
        ArtifactFileName = artifactFileName;
        Sha256 = sha256.ToLowerInvariant();
        DefaultCpu = defaultCpu;
        DefaultMemoryGb = defaultMemoryGb;
    }

    /// <summary><c>name@version</c>, e.g. <c>demo-app@1.0.0</c>.</summary>
    public string Id { get; private set; } = "";

    public string Name { get; private set; } = "";

    public string Version { get; private set; } = "";

    /// <summary>The name of the template it provisions with (<c>app</c>, <c>vm</c>, or one of <c>Provisioning:Templates:Directory</c>).</summary>
    public string Template { get; private set; } = "";

    /// <summary>File name inside the release store.</summary>
    public string ArtifactFileName { get; private set; } = "";

    /// <summary>Lower-case hex SHA-256 the artifact must have.</summary>
    public string Sha256 { get; private set; } = "";

    public int DefaultCpu { get; private set; }

    public int DefaultMemoryGb { get; private set; }

    public string? Description { get; private set; }

    /// <summary>Where the template's steps take the product from (an image, a VM to clone), for templates that read it.</summary>
    public string? Source { get; private set; }

    /// <summary>Since when it can no longer be requested; its workspaces keep it. Null while it can.</summary>
    public DateTimeOffset? RetiredAt { get; private set; }

    public bool IsRetired => RetiredAt is not null;

    public void RecordChecksum(string sha256) => Sha256 = sha256.ToLowerInvariant();

    public void Describe(string? description, string? source)
    {
        Description = description;
        Source = source;
    }

    public void Retire(DateTimeOffset now) => RetiredAt ??= now;
}
