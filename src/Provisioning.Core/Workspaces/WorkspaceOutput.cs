namespace Provisioning.Core.Workspaces;

/// <summary>
/// One <c>key=value</c> a template step produced (DESIGN §11): shown on the workspace and passed to later steps as
/// <c>PORTAL_OUT_&lt;KEY&gt;</c>. A secret one holds its value encrypted (Data Protection) and is never shown.
/// Keys are one namespace per workspace: a later step writing the same key replaces the value.
/// </summary>
public sealed class WorkspaceOutput
{
    private WorkspaceOutput()
    {
    }

    public WorkspaceOutput(Guid workspaceId, string step, string key, string value, bool secret, DateTimeOffset now)
    {
        Id = Guid.CreateVersion7();
        WorkspaceId = workspaceId;
        Key = key;
        Replace(step, value, secret, now);
    }

    public Guid Id { get; private set; }

    public Guid WorkspaceId { get; private set; }

    /// <summary>The step that wrote it last.</summary>
    public string Step { get; private set; } = "";

    public string Key { get; private set; } = "";

    /// <summary>The value, or for a secret the Data Protection payload.</summary>
    public string Value { get; private set; } = "";

    public bool Secret { get; private set; }

    public DateTimeOffset UpdatedAt { get; private set; }

    public void Replace(string step, string value, bool secret, DateTimeOffset now)
    {
        Step = step;
        Value = value;
        Secret = secret;
        UpdatedAt = now;
    }
}
