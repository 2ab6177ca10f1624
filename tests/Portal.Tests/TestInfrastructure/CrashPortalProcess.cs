using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;

namespace Portal.Tests.TestInfrastructure;

/// <summary>
/// The built portal as a real process on a free loopback port, for tests that kill it. Its output goes to a
/// log file in the data directory, whose tail failure messages quote. Disposing kills whatever still runs.
/// </summary>
public sealed class CrashPortalProcess : IAsyncDisposable
{
    private const int PortAttempts = 3;

    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly Lock _logLock = new();
    private readonly List<string> _lines = [];
    private bool _logClosed;

    private CrashPortalProcess(Process process, StreamWriter log, string logPath, Uri baseAddress)
    {
        _process = process;
        _log = log;
        LogPath = logPath;
        BaseAddress = baseAddress;
        Client = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    public Uri BaseAddress { get; }

    public HttpClient Client { get; }

    public string LogPath { get; }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>Starts the portal and waits for <c>GET /health</c> to answer 200.</summary>
    public static async Task<CrashPortalProcess> StartHealthyAsync(
        string dataDirectory, string logName, IDictionary<string, string> environment, TimeSpan healthDeadline, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var portal = Start(dataDirectory, logName, environment, FreePort());
            try
            {
                await portal.WaitHealthyAsync(healthDeadline, cancellationToken);
                return portal;
            }
            catch (PortalExitedException) when (attempt < PortAttempts && portal.Tail(200).Contains("address already in use", StringComparison.OrdinalIgnoreCase))
            {
                // Another process took the free port between our probe and the portal's bind: try another one.
                await portal.DisposeAsync();
            }
            catch
            {
                await portal.DisposeAsync();
                throw;
            }
        }
    }

    /// <summary>Kills the process with SIGKILL (on Linux) and waits until it is gone.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _process.WaitForExitAsync(deadline.Token);
        Write($"=== killed (exit code {_process.ExitCode}) ===");
    }

    /// <summary>
    /// Sends SIGTERM, as a rolling deploy does, and waits for the process to exit on its own; returns how long it
    /// took. Fails when it is still running after <paramref name="deadline"/>.
    /// </summary>
    public async Task<TimeSpan> TerminateAsync(TimeSpan deadline)
    {
        var started = TimeProvider.System.GetTimestamp();
        await SignalAsync("TERM");

        using var timeout = new CancellationTokenSource(deadline);
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"The portal was still running {deadline.TotalSeconds} s after SIGTERM.\n{Tail()}");
        }

        var took = TimeProvider.System.GetElapsedTime(started);
        Write($"=== stopped by SIGTERM in {took.TotalSeconds:F1} s (exit code {_process.ExitCode}) ===");
        return took;
    }

    /// <summary>Freezes the process (SIGSTOP), as a long GC pause or a VM migration does: its connections stay open, it does nothing.</summary>
    public async Task PauseAsync()
    {
        await SignalAsync("STOP");
        Write("=== paused (SIGSTOP) ===");
    }

    /// <summary>Lets a paused process go on (SIGCONT) from where it was.</summary>
    public async Task ContinueAsync()
    {
        await SignalAsync("CONT");
        Write("=== continued (SIGCONT) ===");
    }

    private async Task SignalAsync(string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-s", signal, _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) } })!;
        await kill.WaitForExitAsync();
    }

    /// <summary>
    /// Waits until the process has written at least <paramref name="count"/> lines that <paramref name="match"/>
    /// (since it started) and returns them; fails after <paramref name="deadline"/> or if the process exits.
    /// </summary>
    public async Task<IReadOnlyList<string>> WaitForLinesAsync(Func<string, bool> match, int count, TimeSpan deadline, CancellationToken cancellationToken)
    {
        var started = TimeProvider.System.GetTimestamp();
        while (true)
        {
            List<string> found;
            lock (_logLock)
            {
                found = _lines.Where(match).ToList();
            }

            if (found.Count >= count)
            {
                return found;
            }

            if (_process.HasExited || TimeProvider.System.GetElapsedTime(started) > deadline)
            {
                throw new TimeoutException(
                    $"Saw {found.Count} of {count} awaited log lines within {deadline.TotalSeconds} s (process exited: {_process.HasExited}):\n" +
                    string.Join("\n", found) + "\n" + Tail());
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50), TimeProvider.System, cancellationToken);
        }
    }

    /// <summary>Every line the process has written so far that <paramref name="match"/>.</summary>
    public IReadOnlyList<string> Lines(Func<string, bool> match)
    {
        lock (_logLock)
        {
            return _lines.Where(match).ToList();
        }
    }

    /// <summary>Logs in through the API and returns a client carrying the bearer token.</summary>
    public async Task<HttpClient> LoginAsync(string email, string password, CancellationToken cancellationToken)
    {
        using var response = await Client.PostAsJsonAsync("/api/v1/auth/login", new { email, password }, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"Login as {email} answered {(int)response.StatusCode}: {body}\n{Tail()}");
        }

        var token = JsonDocument.Parse(body).RootElement.GetProperty("access_token").GetString();
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>The last lines of the log file (of every run written to it so far).</summary>
    public string Tail(int lines = 60)
    {
        lock (_logLock)
        {
            if (!_logClosed)
            {
                _log.Flush();
            }
        }

        return TailOf(LogPath, lines);
    }

    public static string TailOf(string logPath, int lines = 60)
    {
        if (!File.Exists(logPath))
        {
            return $"(no log at {logPath})";
        }

        using var stream = new FileStream(logPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        var all = reader.ReadToEnd().Split('\n');
        return $"--- last {lines} lines of {logPath} ---\n" + string.Join('\n', all.TakeLast(lines));
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                await _process.WaitForExitAsync(deadline.Token);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        finally
        {
            Client.Dispose();
            _process.Dispose();
            lock (_logLock)
            {
                _logClosed = true;
                _log.Dispose();
            }
        }
    }

    private static CrashPortalProcess Start(string dataDirectory, string logName, IDictionary<string, string> environment, int port)
    {
        var baseAddress = new Uri($"http://127.0.0.1:{port}");
        var info = PortalBinary.StartInfo(dataDirectory, environment, "--urls", baseAddress.ToString().TrimEnd('/'));
        var logPath = Path.Combine(dataDirectory, logName);
        var log = new StreamWriter(new FileStream(logPath, FileMode.Append, FileAccess.Write, FileShare.ReadWrite));
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var portal = new CrashPortalProcess(process, log, logPath, baseAddress);
        process.OutputDataReceived += (_, e) => portal.Write(e.Data);
        process.ErrorDataReceived += (_, e) => portal.Write(e.Data is null ? null : "[stderr] " + e.Data);
        portal.Write($"=== dotnet {string.Join(' ', info.ArgumentList)} ===");
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return portal;
    }

    private async Task WaitHealthyAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var started = TimeProvider.System.GetTimestamp();
        while (TimeProvider.System.GetElapsedTime(started) < timeout)
        {
            if (_process.HasExited)
            {
                throw new PortalExitedException($"The portal exited with code {_process.ExitCode} before /health answered 200.\n{Tail()}");
            }

            try
            {
                using var response = await Client.GetAsync("/health", cancellationToken);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), TimeProvider.System, cancellationToken);
        }

        throw new TimeoutException($"GET /health did not answer 200 within {timeout.TotalSeconds} s.\n{Tail()}");
    }

    private void Write(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_logLock)
        {
            _lines.Add(line);
            if (!_logClosed)
            {
                _log.WriteLine(line);
            }
        }
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        finally
        {
            listener.Stop();
        }
    }

    private sealed class PortalExitedException(string message) : Exception(message);
}
