namespace Provisioning.Core.Workspaces;

/// <summary>An organisation; every workspace belongs to exactly one.</summary>
public sealed class Tenant
{
    public Tenant(string id, string name)
    {
        Id = id;
        Name = name;
    }

    /// <summary>A short slug such as <c>acme</c>.</summary>
    public string Id { get; private set; }

    public string Name { get; private set; }
}
