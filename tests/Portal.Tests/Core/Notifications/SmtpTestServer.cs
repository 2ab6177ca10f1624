using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using MimeKit;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Core.Notifications;

/// <summary>
/// A real SMTP server on 127.0.0.1: Debian's aiosmtpd writing every message it accepts into a Maildir.
/// Stopping it (by its process id) is an SMTP outage; starting it again listens on the same port.
/// While it is down the port stays bound by a socket that does not listen, so a connection is refused at once:
/// nothing else can take the port, and a client cannot connect to itself through it (a free loopback port in
/// the ephemeral range may be picked as the client's own port, and TCP then connects the socket to itself).
/// </summary>
public sealed class SmtpTestServer : IAsyncDisposable
{
    /// <summary>Debian's Python, which has the module; the pyenv one first on PATH does not.</summary>
    private const string Python = "/usr/bin/python3";
    private static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    private Process? _process;
    private Socket? _reservation;

    private SmtpTestServer(Socket reservation, string maildir)
    {
        _reservation = reservation;
        Port = ((IPEndPoint)reservation.LocalEndPoint!).Port;
        Maildir = maildir;
    }

    public int Port { get; }

    public string Maildir { get; }

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>A server on a free port, not started yet.</summary>
    public static SmtpTestServer Create()
    {
        var maildir = TestPaths.NewDataDirectory();
        foreach (var folder in new[] { "tmp", "new", "cur" })
        {
            Directory.CreateDirectory(Path.Combine(maildir, folder));
        }

        return new SmtpTestServer(Reserve(0), maildir);
    }

    public static async Task<SmtpTestServer> StartNewAsync()
    {
        var server = Create();
        await server.StartAsync();
        return server;
    }

    /// <summary>Starts the server and returns once it accepts connections.</summary>
    public async Task StartAsync()
    {
        if (!File.Exists(Python))
        {
            throw new InvalidOperationException($"{Python} is missing: apt-get install -y python3-aiosmtpd");
        }

        _reservation?.Dispose();
        _reservation = null;
        var info = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true };
        // -n: do not drop privileges (needed as root).
        foreach (var arg in new[] { "-m", "aiosmtpd", "-n", "-l", $"127.0.0.1:{Port}", "-c", "aiosmtpd.handlers.Mailbox", Maildir })
        {
            info.ArgumentList.Add(arg);
        }

        _process = Process.Start(info) ?? throw new InvalidOperationException("aiosmtpd did not start.");
        _process.BeginOutputReadLine();
        var stderr = new System.Text.StringBuilder();
        _process.ErrorDataReceived += (_, e) =>
        {
            lock (stderr)
            {
                stderr.AppendLine(e.Data);
            }
        };
        _process.BeginErrorReadLine();

        var until = TimeProvider.System.GetUtcNow() + StartDeadline;
        while (!await AcceptsConnectionsAsync())
        {
            if (_process.HasExited || TimeProvider.System.GetUtcNow() > until)
            {
                string log;
                lock (stderr)
                {
                    log = stderr.ToString();
                }

                throw new InvalidOperationException($"aiosmtpd did not listen on 127.0.0.1:{Port} in time: {log}");
            }

            await Task.Delay(PollInterval, TimeProvider.System, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>Kills the server (an outage) and returns once the port refuses connections.</summary>
    public async Task StopAsync()
    {
        if (_process is not { } process)
        {
            return;
        }

        _process = null;
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }

        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        process.Dispose();
        _reservation = Reserve(Port);
    }

    /// <summary>Every message the server accepted, parsed.</summary>
    public IReadOnlyList<MimeMessage> Messages() =>
        Directory.GetFiles(Path.Combine(Maildir, "new"))
            .Order(StringComparer.Ordinal)
            .Select(file => MimeMessage.Load(file, TestContext.Current.CancellationToken))
            .ToList();

    /// <summary>Waits until the server holds at least <paramref name="count"/> messages, or fails at the deadline.</summary>
    public async Task<IReadOnlyList<MimeMessage>> WaitForMessagesAsync(int count, TimeSpan? deadline = null)
    {
        var until = TimeProvider.System.GetUtcNow() + (deadline ?? TimeSpan.FromSeconds(30));
        while (Directory.GetFiles(Path.Combine(Maildir, "new")).Length < count)
        {
            if (TimeProvider.System.GetUtcNow() > until)
            {
                throw new TimeoutException($"The SMTP server holds {Messages().Count} messages, not {count}, at the deadline.");
            }

            await Task.Delay(PollInterval, TimeProvider.System, TestContext.Current.CancellationToken);
        }

        return Messages();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _reservation?.Dispose();
        try
        {
            Directory.Delete(Maildir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Binds the port (0: any free one) without listening on it.</summary>
    private static Socket Reserve(int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        // The server's closed connections may still be in TIME_WAIT on this port.
        socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
        return socket;
    }

    private async Task<bool> AcceptsConnectionsAsync()
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, Port, TestContext.Current.CancellationToken);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}

/// <summary>What the tests read from delivered messages.</summary>
public static class DeliveredMessages
{
    /// <summary>The envelope recipient aiosmtpd recorded (X-RcptTo), falling back to the To header.</summary>
    public static string Recipient(this MimeMessage message) =>
        message.Headers["X-RcptTo"] is { Length: > 0 } rcpt ? rcpt.Trim() : message.To.Mailboxes.Single().Address;
}
