namespace Provisioning.Core.Persistence;

public enum DatabaseProvider
{
    Sqlite,
    Postgres,
}

/// <summary><c>Database:*</c> settings.</summary>
public sealed class DatabaseOptions
{
    public const string Section = "Database";

    public string Provider { get; set; } = nameof(DatabaseProvider.Sqlite);
}
