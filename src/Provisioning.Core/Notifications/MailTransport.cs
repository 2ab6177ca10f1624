using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Provisioning.Core.Notifications;

/// <summary>Where mail leaves the portal: an SMTP server, or the pickup folder when none is configured.</summary>
public interface IMailTransport
{
    /// <summary>A session for one delivery run; it connects on the first send and reuses the connection.</summary>
    IMailSession Open();
}

public interface IMailSession : IAsyncDisposable
{
    Task SendAsync(MimeMessage message, CancellationToken cancellationToken);
}

/// <summary>Sends through <c>Mail:Smtp</c> with MailKit.</summary>
internal sealed class SmtpMailTransport(IOptions<MailOptions> options) : IMailTransport
{
    public IMailSession Open() => new Session(options.Value.Smtp);

    private sealed class Session(MailOptions.SmtpSettings settings) : IMailSession
    {
        private SmtpClient? _client;

        public async Task SendAsync(MimeMessage message, CancellationToken cancellationToken)
        {
            var client = await ConnectedAsync(cancellationToken);
            try
            {
                await client.SendAsync(message, cancellationToken);
            }
            catch (Exception e) when (e is not SmtpCommandException)
            {
                // The connection's state is unknown now: the next try starts from a fresh one.
                await DropAsync();
                throw;
            }
        }

        public ValueTask DisposeAsync() => new(DropAsync(quit: true));

        private async Task<SmtpClient> ConnectedAsync(CancellationToken cancellationToken)
        {
            if (_client is { IsConnected: true })
            {
                return _client;
            }

            await DropAsync();
            var client = new SmtpClient { Timeout = (int)settings.Timeout.TotalMilliseconds };
            try
            {
                var security = settings.Security switch
                {
                    SmtpSecurity.StartTls => SecureSocketOptions.StartTls,
                    SmtpSecurity.SslOnConnect => SecureSocketOptions.SslOnConnect,
                    _ => SecureSocketOptions.None,
                };
                await client.ConnectAsync(settings.Host, settings.Port, security, cancellationToken);
                if (!string.IsNullOrEmpty(settings.Username))
                {
                    await client.AuthenticateAsync(settings.Username, settings.Password, cancellationToken);
                }
            }
            catch
            {
                client.Dispose();
                throw;
            }

            _client = client;
            return client;
        }

        private async Task DropAsync(bool quit = false)
        {
            if (_client is not { } client)
            {
                return;
            }

            _client = null;
            try
            {
                if (quit && client.IsConnected)
                {
                    // Saying goodbye is a courtesy; a server that is gone already cannot fail the run.
                    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                    await client.DisconnectAsync(quit: true, timeout.Token);
                }
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or MailKit.ProtocolException or MailKit.CommandException)
            {
            }
            finally
            {
                client.Dispose();
            }
        }
    }
}

/// <summary>
/// The embedded default: each message becomes an <c>.eml</c> file in the pickup folder, named by its
/// <see cref="MimeMessage.MessageId"/>, so delivering the same message twice leaves one file.
/// </summary>
internal sealed class PickupDirectoryMailTransport(IOptions<MailOptions> options, DataDirectory dataDirectory) : IMailTransport
{
    public string Directory { get; } = options.Value.PickupDirectory is { Length: > 0 } configured
        ? Path.GetFullPath(configured, dataDirectory.Root)
        : dataDirectory.Mail;

    public IMailSession Open() => new Session(Directory);

    private sealed class Session(string directory) : IMailSession
    {
        public async Task SendAsync(MimeMessage message, CancellationToken cancellationToken)
        {
            System.IO.Directory.CreateDirectory(directory);
            var id = message.MessageId ?? throw new InvalidOperationException("A message needs a Message-Id to be named in the pickup folder.");
            var name = string.Concat(id.Split('@')[0].Select(c => char.IsAsciiLetterOrDigit(c) || c == '-' ? c : '_'));
            var target = Path.Combine(directory, $"{name}.eml");
            // Written aside, then moved in: whatever reads the folder never sees half a message.
            var temporary = Path.Combine(directory, $".{name}.{Guid.NewGuid():N}.tmp");
            try
            {
                await message.WriteToAsync(temporary, cancellationToken);
                File.Move(temporary, target, overwrite: true);
            }
            finally
            {
                File.Delete(temporary);
            }
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
