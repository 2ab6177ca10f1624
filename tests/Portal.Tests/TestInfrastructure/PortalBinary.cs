using System.Diagnostics;

namespace Portal.Tests.TestInfrastructure;

/// <summary>The built portal, started as a real process.</summary>
public static class PortalBinary
{
    /// <summary>Portal.dll of the same build configuration as these tests.</summary>
    public static string Path { get; } = System.IO.Path.Combine(
        TestPaths.RepositoryRoot, "src", "Portal", "bin",
        AppContext.BaseDirectory.Contains($"{System.IO.Path.DirectorySeparatorChar}Release{System.IO.Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug",
        "net10.0", "Portal.dll");

    public static ProcessStartInfo StartInfo(string dataDirectory, IDictionary<string, string>? environment = null, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = System.IO.Path.Combine(TestPaths.RepositoryRoot, "src", "Portal"),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.ArgumentList.Add(Path);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        info.Environment["Portal__DataDirectory"] = dataDirectory;
        // These runs sign in and ask for dozens of workspaces as one user from 127.0.0.1 on purpose; ThrottlingTests check the limits.
        info.Environment["Throttling__Enabled"] = "false";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        return info;
    }
}
