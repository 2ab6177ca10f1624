using System.Reflection;

namespace E2E.Infrastructure;

/// <summary>Where the repository and the portal's build output are, seen from the test assembly.</summary>
public static class RepositoryPaths
{
    private static readonly Lazy<string> LazyRoot = new(FindRoot);

    /// <summary>The folder holding Portal.sln.</summary>
    public static string Root => LazyRoot.Value;

    public static string PortalProject => Path.Combine(Root, "src", "Portal");

    public static string Artifacts => Path.Combine(Root, "artifacts");

    /// <summary>
    /// The configuration this test assembly was built with (Release when scripts/test.sh runs it),
    /// so the portal under test is the one built alongside; Debug if it cannot be told.
    /// </summary>
    public static string Configuration =>
        typeof(RepositoryPaths).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration is { Length: > 0 } configuration
            ? configuration
            : "Debug";

    public static string PortalAssembly =>
        Path.Combine(PortalProject, "bin", Configuration, "net10.0", "Portal.dll");

    private static string FindRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Portal.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException(
            $"No Portal.sln found in '{AppContext.BaseDirectory}' or any folder above it.");
    }
}
