using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace E2E.Infrastructure;

/// <summary>
/// The real portal as a separate process (<c>dotnet Portal.dll</c>) on a free loopback port with its own data
/// directory, or, when <c>PORTAL_E2E_BASE_URL</c> is set, a portal someone else runs at that address.
/// </summary>
/// <remarks>
/// The process can be stopped, killed and started again on the same data directory and port, which is how
/// scenarios check what survives a restart or a crash.
/// </remarks>
public sealed class PortalProcess : IAsyncDisposable
{
    public const string BaseUrlVariable = "PORTAL_E2E_BASE_URL";

    private static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan StopGracePeriod = TimeSpan.FromSeconds(10);

    // A test host that dies without disposing its fixtures must not leave portals running.
    private static readonly ConcurrentDictionary<PortalProcess, byte> Running = new();

    private readonly string _name;
    private readonly string? _dataDirectory;
    private readonly bool _ownsDataDirectory;
    private readonly Lock _logLock = new();
    private Process? _process;
    private StreamWriter? _log;

    static PortalProcess()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            foreach (var portal in Running.Keys)
            {
                portal.KillNow();
            }
        };
    }

    private PortalProcess(string name, Uri baseUrl, string? dataDirectory, bool ownsDataDirectory)
    {
        _name = name;
        BaseUrl = baseUrl;
        _dataDirectory = dataDirectory;
        _ownsDataDirectory = ownsDataDirectory;
    }

    /// <summary>Where the portal answers, ending with a slash.</summary>
    public Uri BaseUrl { get; }

    /// <summary>True when <c>PORTAL_E2E_BASE_URL</c> points at a portal this class neither starts nor stops.</summary>
    public bool IsExternal => _dataDirectory is null;

    /// <summary>The portal's <c>Portal:DataDirectory</c>; unknown for an external portal.</summary>
    public string DataDirectory => _dataDirectory
        ?? throw new InvalidOperationException($"The portal at {BaseUrl} was not started by the tests ({BaseUrlVariable} is set): its data directory is unknown.");

    /// <summary>The portal's standard output and error, appended across restarts.</summary>
    public string LogFile => Path.Combine(DataDirectory, "portal.log");

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>Extra environment variables for the portal process (configuration such as <c>Portal__Simulator__…</c>), read at each start.</summary>
    public IDictionary<string, string> EnvironmentVariables { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>
    /// A portal on a free port with a fresh temporary data directory, or the external one when
    /// <c>PORTAL_E2E_BASE_URL</c> is set. Pass <paramref name="dataDirectory"/> to reuse a folder, which is then kept.
    /// </summary>
    public static PortalProcess Create(string name, string? dataDirectory = null)
    {
        var external = Environment.GetEnvironmentVariable(BaseUrlVariable);
        if (!string.IsNullOrWhiteSpace(external))
        {
            var url = external.EndsWith('/') ? external : external + "/";
            return new PortalProcess(name, new Uri(url), dataDirectory: null, ownsDataDirectory: false);
        }

        var ownsDataDirectory = dataDirectory is null;
        dataDirectory ??= Path.Combine(Path.GetTempPath(), "portal-e2e", $"{name}-{Guid.NewGuid():N}");
        return new PortalProcess(name, new Uri($"http://127.0.0.1:{FreePort()}/"), dataDirectory, ownsDataDirectory);
    }

    /// <summary>Starts the portal (unless external) and waits until <c>GET /health</c> answers 200.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (!IsExternal)
        {
            if (IsRunning)
            {
                throw new InvalidOperationException($"The portal '{_name}' is already running.");
            }

            Launch();
        }

        await WaitUntilHealthyAsync(cancellationToken);
    }

    /// <summary>Asks the portal to shut down (SIGTERM), as an operator would; kills it if it is still up after a grace period.</summary>
    public async Task StopAsync()
    {
        if (_process is not { } process)
        {
            return;
        }

        if (!process.HasExited && (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS()))
        {
            await SendTerminateAsync(process.Id);
            using var grace = new CancellationTokenSource(StopGracePeriod);
            try
            {
                await process.WaitForExitAsync(grace.Token);
            }
            catch (OperationCanceledException)
            {
                WriteLog($"[e2e] portal did not stop within {StopGracePeriod.TotalSeconds:0} s; killing it");
            }
        }

        await KillProcessAsync(process);
    }

    /// <summary>Kills the portal and its children at once (SIGKILL), as a crash or a pulled plug would.</summary>
    public async Task KillAsync()
    {
        if (IsExternal)
        {
            throw new InvalidOperationException($"The portal at {BaseUrl} was not started by the tests ({BaseUrlVariable} is set) and cannot be killed.");
        }

        if (_process is { } process)
        {
            await KillProcessAsync(process);
        }
    }

    /// <summary>Stops the portal and starts it again on the same data directory and port.</summary>
    public async Task RestartAsync(CancellationToken cancellationToken = default)
    {
        if (IsExternal)
        {
            throw new InvalidOperationException($"The portal at {BaseUrl} was not started by the tests ({BaseUrlVariable} is set) and cannot be restarted.");
        }

        await StopAsync();
        await StartAsync(cancellationToken);
    }

    /// <summary>What the portal has written so far, for assertions and failure messages.</summary>
    public string ReadLog()
    {
        if (IsExternal || !File.Exists(LogFile))
        {
            return string.Empty;
        }

        lock (_logLock)
        {
            _log?.Flush();
            using var stream = new FileStream(LogFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd();
        }
    }

    /// <summary>Stops the portal, keeps its log under <c>artifacts/e2e/logs/</c> and removes a temporary data directory.</summary>
    public async ValueTask DisposeAsync()
    {
        if (IsExternal)
        {
            return;
        }

        await StopAsync();
        CloseLog();

        if (File.Exists(LogFile))
        {
            var logs = Path.Combine(RepositoryPaths.Artifacts, "e2e", "logs");
            Directory.CreateDirectory(logs);
            File.Copy(LogFile, Path.Combine(logs, $"{_name}.log"), overwrite: true);
        }

        if (_ownsDataDirectory && Directory.Exists(DataDirectory))
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
    }

    private void Launch()
    {
        var portalAssembly = RepositoryPaths.PortalAssembly;
        if (!File.Exists(portalAssembly))
        {
            throw new InvalidOperationException(
                $"The portal is not built: '{portalAssembly}' is missing. Run 'dotnet build src/Portal -c {RepositoryPaths.Configuration}' first (scripts/test.sh does).");
        }

        Directory.CreateDirectory(DataDirectory);
        OpenLog();

        var contentRoot = RepositoryPaths.PortalProject;
        var startInfo = new ProcessStartInfo
        {
            FileName = DotnetHost(),
            WorkingDirectory = contentRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { portalAssembly, "--urls", BaseUrl.GetLeftPart(UriPartial.Authority), "--contentRoot", contentRoot })
        {
            startInfo.ArgumentList.Add(argument);
        }

        startInfo.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        startInfo.Environment["Portal__DataDirectory"] = DataDirectory;
        startInfo.Environment["DOTNET_NOLOGO"] = "1";
        // The whole suite signs in from 127.0.0.1, the demo people again and again: the limits stay on, well above that.
        startInfo.Environment["Throttling__SignInPerClient__PermitLimit"] = "10000";
        startInfo.Environment["Throttling__SignInPerAccount__PermitLimit"] = "10000";
        // The browser tests' own template (a step that logs as it goes), beside the built-in ones.
        startInfo.Environment["Provisioning__Templates__Directory"] = Path.Combine(RepositoryPaths.Root, "tests", "E2E", "Templates");
        foreach (var (key, value) in EnvironmentVariables)
        {
            startInfo.Environment[key] = value;
        }

        WriteLog($"[e2e] starting {startInfo.FileName} {string.Join(' ', startInfo.ArgumentList)}");
        var process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => WriteLog(e.Data);
        process.ErrorDataReceived += (_, e) => WriteLog(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        _process = process;
        Running[this] = 0;
    }

    private async Task WaitUntilHealthyAsync(CancellationToken cancellationToken)
    {
        using var client = new HttpClient { BaseAddress = BaseUrl, Timeout = TimeSpan.FromSeconds(5) };
        var clock = Stopwatch.StartNew();
        var lastProblem = "no answer yet";

        while (clock.Elapsed < StartDeadline)
        {
            if (_process is { HasExited: true } exited)
            {
                throw new InvalidOperationException(
                    $"The portal '{_name}' exited with code {exited.ExitCode} before it was healthy.{Environment.NewLine}{LogTail()}");
            }

            try
            {
                using var response = await client.GetAsync("health", cancellationToken);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }

                lastProblem = $"GET /health answered {(int)response.StatusCode}";
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                lastProblem = e.Message;
            }

            await Task.Delay(PollInterval, cancellationToken);
        }

        throw new TimeoutException(
            $"The portal at {BaseUrl} was not healthy within {StartDeadline.TotalSeconds:0} s ({lastProblem}).{Environment.NewLine}{LogTail()}");
    }

    private async Task KillProcessAsync(Process process)
    {
        if (!process.HasExited)
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // It exited between the check and the kill.
            }
        }

        // Also waits for the redirected output to be read to its end.
        await process.WaitForExitAsync();
        WriteLog($"[e2e] portal exited with code {process.ExitCode}");
        process.Dispose();
        _process = null;
        Running.TryRemove(this, out _);
    }

    private void KillNow()
    {
        try
        {
            _process?.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    private void OpenLog()
    {
        lock (_logLock)
        {
            _log ??= new StreamWriter(new FileStream(LogFile, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
        }
    }

    private void CloseLog()
    {
        lock (_logLock)
        {
            _log?.Dispose();
            _log = null;
        }
    }

    private void WriteLog(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_logLock)
        {
            _log?.WriteLine(line);
        }
    }

    private string LogTail(int lines = 40)
    {
        var all = ReadLog().Split('\n');
        return $"Last lines of {LogFile}:{Environment.NewLine}{string.Join('\n', all.TakeLast(lines))}";
    }

    // The SDK sets DOTNET_HOST_PATH for what it starts; an apphost (the xunit runner) may have only DOTNET_ROOT.
    private static string DotnetHost()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } hostPath && File.Exists(hostPath))
        {
            return hostPath;
        }

        if (Environment.GetEnvironmentVariable("DOTNET_ROOT") is { Length: > 0 } root && File.Exists(Path.Combine(root, "dotnet")))
        {
            return Path.Combine(root, "dotnet");
        }

        return "dotnet";
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    // .NET can only SIGKILL another process; kill(1) sends the SIGTERM that makes the host shut down gracefully.
    private static async Task SendTerminateAsync(int processId)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-TERM", processId.ToString(CultureInfo.InvariantCulture)])
        {
            UseShellExecute = false,
            RedirectStandardError = true,
        });
        if (kill is not null)
        {
            await kill.WaitForExitAsync();
        }
    }
}
