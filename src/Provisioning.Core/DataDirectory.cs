namespace Provisioning.Core;

/// <summary>
/// Everything the portal writes lives under one folder (<c>Portal:DataDirectory</c>): the database,
/// release artifacts, tenant databases, the mail pickup folder and the Data Protection keys.
/// </summary>
public sealed class DataDirectory
{
    public DataDirectory(string root)
    {
        Root = Path.GetFullPath(root);
    }

    public string Root { get; }

    public string Releases => Path.Combine(Root, "releases");

    public string TenantDatabases => Path.Combine(Root, "tenant-databases");

    public string Workspaces => Path.Combine(Root, "workspaces");

    public string Keys => Path.Combine(Root, "keys");

    public string Mail => Path.Combine(Root, "mail");

    public string PortalDatabase => Path.Combine(Root, "portal.db");

    public string SchedulerDatabase => Path.Combine(Root, "scheduler.db");

    public string WorkspaceFolder(Guid workspaceId) => Path.Combine(Workspaces, workspaceId.ToString("N"));

    /// <summary>Creates the folders and proves the root is writable; fails with the setting's name otherwise.</summary>
    public void EnsureWritable()
    {
        try
        {
            foreach (var folder in new[] { Root, Releases, TenantDatabases, Workspaces, Keys })
            {
                Directory.CreateDirectory(folder);
            }

            var probe = Path.Combine(Root, $".write-probe-{Environment.ProcessId}");
            File.WriteAllText(probe, "ok");
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException(
                $"Portal:DataDirectory '{Root}' is not a writable folder: {e.Message}", e);
        }
    }
}
