using System.Diagnostics;

namespace Provisioning.Benchmarks;

/// <summary>This benchmark program started again as a child process, with another command (<c>backoff-run</c>, <c>ui-memory-browser</c>).</summary>
internal static class SelfProcess
{
    /// <summary>How to start it: the apphost directly, or <c>dotnet Provisioning.Benchmarks.dll</c> when run through dotnet.</summary>
    public static ProcessStartInfo StartInfo(IEnumerable<string> args)
    {
        var start = new ProcessStartInfo { UseShellExecute = false };
        var self = Environment.ProcessPath!;
        start.FileName = self;
        if (string.Equals(Path.GetFileNameWithoutExtension(self), "dotnet", StringComparison.Ordinal))
        {
            start.ArgumentList.Add(typeof(SelfProcess).Assembly.Location);
        }

        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return start;
    }
}
