namespace Provisioning.Core.TenantDatabases;

/// <summary>A workspace's own database. Its password is stored only in protected (encrypted) form.</summary>
public sealed class TenantDatabase
{
    private TenantDatabase()
    {
    }

    internal TenantDatabase(Guid workspaceId, string fileName, string protectedPassword, DateTimeOffset createdAt)
    {
        WorkspaceId = workspaceId;
        FileName = fileName;
        ProtectedPassword = protectedPassword;
        CreatedAt = createdAt;
    }

    public Guid WorkspaceId { get; private set; }

    public string FileName { get; private set; } = "";

    public string ProtectedPassword { get; private set; } = "";

    public DateTimeOffset CreatedAt { get; private set; }
}

/// <summary>Credentials handed to whoever needs them now; never persisted in this form.</summary>
public sealed record TenantDatabaseCredentials(string DatabaseName, string ConnectionString, string Password)
{
    public override string ToString() => $"TenantDatabaseCredentials {{ DatabaseName = {DatabaseName} }}";
}
