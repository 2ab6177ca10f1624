using System.Net.Sockets;
using System.Text.Json;
using MailKit;
using MailKit.Net.Smtp;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;
using Polly;
using Polly.Retry;
using Provisioning.Core.Identity;
using Provisioning.Core.Persistence;

namespace Provisioning.Core.Notifications;

/// <summary>What one delivery run did.</summary>
public sealed record OutboxRun(int Sent, int Deferred, int Failed)
{
    public int Processed => Sent + Deferred + Failed;
}

/// <summary>
/// The read side of the transactional outbox: sends the pending emails that are due, oldest first, through
/// the configured transport inside a Polly retry pipeline, and records each outcome before the next message.
/// </summary>
/// <remarks>
/// <para>
/// Delivery is at least once. A message is marked sent in its own save right after the server accepted it,
/// so in the normal path nothing is sent twice. The edge: if the process dies (or the database refuses the
/// save) after the server accepted a message and before that save commits, the message is still pending and
/// is sent again on the next run. Such a repeat carries the same Message-Id (<see cref="OutboxMessage.DeliveryKey"/>)
/// so a receiving system can drop it, and the pickup folder simply overwrites the same file. The other order
/// (mark, then send) would turn that edge into a lost email, which the outbox exists to prevent.
/// </para>
/// <para>
/// A run claims its batch in the database before sending (<see cref="ProvisioningDbContext.ClaimOutboxAsync"/>, row by
/// row, for <c>Mail:Delivery:ClaimLease</c>), so runs on several nodes, or two on one, never send the same message;
/// each outcome clears the claim. A node that dies holding a claim leaves its messages to the others once the lease ends.
/// </para>
/// <para>
/// A failure the server may get over (it is unreachable, times out, or answers 4xx) keeps a message pending
/// with its attempts, last error and next attempt time, backing off up to <c>Mail:Delivery:RetryMaxDelay</c>
/// and never giving up, so an outage only delays mail. A refusal for good (5xx for the recipient or the
/// message), an unknown template or a model that does not read marks it failed; a platform admin can resend it.
/// </para>
/// </remarks>
public sealed partial class OutboxDelivery(
    IDbContextFactory<ProvisioningDbContext> dbFactory,
    IEmailRenderer renderer,
    IMailTransport transport,
    IOptions<MailOptions> options,
    IOptions<PortalLinkOptions> links,
    TimeProvider time,
    ILogger<OutboxDelivery> logger)
{
    private readonly ResiliencePipeline _send = BuildPipeline(options.Value.Delivery, time);
    private readonly MailboxAddress _from = MailboxAddress.Parse(options.Value.From);

    // Names this delivery's claims on the outbox: unique per instance, and says which node holds a claimed message.
    private readonly string _claimant = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>Sends what is due now, batch after batch, until nothing is due or the server stops taking mail.</summary>
    public async Task<OutboxRun> DeliverDueAsync(CancellationToken cancellationToken)
    {
        var total = new OutboxRun(0, 0, 0);
        while (true)
        {
            var run = await DeliverBatchAsync(cancellationToken);
            total = new OutboxRun(total.Sent + run.Sent, total.Deferred + run.Deferred, total.Failed + run.Failed);
            if (run.Processed < options.Value.Delivery.BatchSize || run.Deferred > 0)
            {
                return total;
            }
        }
    }

    private async Task<OutboxRun> DeliverBatchAsync(CancellationToken cancellationToken)
    {
        var delivery = options.Value.Delivery;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var now = time.GetUtcNow();
        if (await db.ClaimOutboxAsync(_claimant, now, now + delivery.ClaimLease, delivery.BatchSize, cancellationToken) == 0)
        {
            return new OutboxRun(0, 0, 0);
        }

        var due = await db.Outbox
            .Where(m => m.ClaimedBy == _claimant && m.Status == OutboxStatus.Pending)
            .OrderBy(m => m.NextAttemptAt)
            .ThenBy(m => m.CreatedAt)
            .ToListAsync(cancellationToken);
        try
        {
            return await SendAsync(db, due, cancellationToken);
        }
        finally
        {
            // What this run could not get to (the host is stopping) goes back now rather than when the lease ends.
            await db.Outbox
                .Where(m => m.ClaimedBy == _claimant && m.Status == OutboxStatus.Pending)
                .ExecuteUpdateAsync(set => set.SetProperty(m => m.ClaimedBy, (string?)null).SetProperty(m => m.ClaimedUntil, (DateTimeOffset?)null), CancellationToken.None);
        }
    }

    private async Task<OutboxRun> SendAsync(ProvisioningDbContext db, List<OutboxMessage> due, CancellationToken cancellationToken)
    {
        var delivery = options.Value.Delivery;
        int sent = 0, deferred = 0, failed = 0;
        await using var session = transport.Open();
        for (var i = 0; i < due.Count; i++)
        {
            var message = due[i];
            MimeMessage mime;
            try
            {
                mime = await ComposeAsync(db, message, cancellationToken);
            }
            catch (Exception e) when (e is ArgumentException or JsonException or FormatException)
            {
                // An unknown template, a model that does not read, an address that does not parse: trying again gives the same result.
                LogRenderFailed(message.Id, message.Template, e);
                message.MarkFailed($"Rendering failed: {e.GetType().Name}: {e.Message}", time.GetUtcNow());
                await SaveAsync(db);
                failed++;
                continue;
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                // Anything else in rendering may be the host's, not the message's (a fix and a restart mend it): wait.
                LogRenderFailed(message.Id, message.Template, e);
                Defer(message, $"Rendering failed: {e.GetType().Name}: {e.Message}", time.GetUtcNow());
                await SaveAsync(db);
                deferred++;
                continue;
            }

            try
            {
                await _send.ExecuteAsync(async token => await session.SendAsync(mime, token), cancellationToken);
            }
            catch (Exception e) when (IsRefusedForGood(e))
            {
                LogRefused(message.Id, message.Recipient, e.Message);
                message.MarkFailed(Describe(e), time.GetUtcNow());
                await SaveAsync(db);
                failed++;
                continue;
            }
            catch (SmtpCommandException e) when (!cancellationToken.IsCancellationRequested)
            {
                // The server is there but not taking this message now (4xx): the others may still go.
                Defer(message, Describe(e), time.GetUtcNow());
                await SaveAsync(db);
                LogDeferred(1, Describe(e), message.NextAttemptAt!.Value);
                deferred++;
                continue;
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                // The transport is down (after Polly's tries): this and the rest of the batch wait for the next try.
                var at = time.GetUtcNow();
                var error = Describe(e);
                foreach (var waiting in due.Skip(i))
                {
                    Defer(waiting, error, at);
                }

                await SaveAsync(db);
                LogDeferred(due.Count - i, error, message.NextAttemptAt!.Value);
                return new OutboxRun(sent, deferred + due.Count - i, failed);
            }

            // Recorded before the next message, whatever happens to this run afterwards (see remarks).
            message.MarkSent(time.GetUtcNow());
            await SaveAsync(db);
            LogSent(message.Id, message.Template);
            sent++;
        }

        return new OutboxRun(sent, deferred, failed);

        void Defer(OutboxMessage message, string error, DateTimeOffset at) =>
            message.MarkAttemptFailed(error, at, at + delivery.RetryDelay(message.Attempts + 1));
    }

    private async Task<MimeMessage> ComposeAsync(ProvisioningDbContext db, OutboxMessage message, CancellationToken cancellationToken)
    {
        var model = message.Template == EmailTemplates.Invitation
            ? await WithInvitationLinkAsync(db, message, cancellationToken)
            : message.Model;
        var body = await renderer.RenderAsync(message.Template, model, cancellationToken);
        var mime = new MimeMessage
        {
            Subject = message.Subject,
            Date = message.CreatedAt,
            MessageId = $"{message.DeliveryKey}@{Domain(_from.Address)}",
            Body = new BodyBuilder { HtmlBody = body.Html, TextBody = body.Text }.ToMessageBody(),
        };
        mime.From.Add(_from);
        mime.To.Add(new MailboxAddress(null, message.Recipient));
        // RFC 3834: a notification, so auto-responders (out-of-office) do not answer it.
        mime.Headers.Add("Auto-Submitted", "auto-generated");
        return mime;
    }

    /// <summary>
    /// An invitation's model with a link carrying a fresh token, whose hash is saved before the email can go out; the
    /// token of any earlier email of the invitation stops working. In the at-least-once edge (see remarks) the repeat
    /// carries a new token and the first email's link is dead: the newest email is the one that works.
    /// </summary>
    /// <exception cref="ArgumentException">The invitation is gone, used, revoked or expired: this email has nothing left to say.</exception>
    private async Task<string> WithInvitationLinkAsync(ProvisioningDbContext db, OutboxMessage message, CancellationToken cancellationToken)
    {
        var model = JsonSerializer.Deserialize<InvitationModel>(message.Model, EmailTemplates.ModelJson)
            ?? throw new ArgumentException("The model of an invitation email is empty.", nameof(message));
        var invitation = await db.Invitations.SingleOrDefaultAsync(i => i.Id == model.InvitationId, cancellationToken)
            ?? throw new ArgumentException($"Invitation {model.InvitationId} does not exist.", nameof(message));
        if (invitation.StatusAt(time.GetUtcNow()) is var status and not InvitationStatus.Pending)
        {
            throw new ArgumentException($"Invitation {invitation.Id} is {status.ToString().ToLowerInvariant()}: its email is not sent.", nameof(message));
        }

        var token = invitation.IssueToken();
        await db.SaveChangesAsync(cancellationToken);
        return JsonSerializer.Serialize(
            model with { AcceptUrl = links.Value.AcceptInvitationUrl(token), ExpiresAt = invitation.ExpiresAt }, EmailTemplates.ModelJson);
    }

    /// <summary>
    /// Records an outcome. Not cancelled with the run: once a message is out, its record must be written even
    /// while the host stops, or it would be sent again after the restart.
    /// </summary>
    private static Task SaveAsync(ProvisioningDbContext db) => db.SaveChangesAsync(CancellationToken.None);

    private static ResiliencePipeline BuildPipeline(MailOptions.DeliverySettings delivery, TimeProvider time)
    {
        var builder = new ResiliencePipelineBuilder { TimeProvider = time };
        if (delivery.SendAttempts > 1)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<Exception>(IsTransportFailure),
                MaxRetryAttempts = delivery.SendAttempts - 1,
                Delay = delivery.SendRetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = false,
            });
        }

        return builder.Build();
    }

    /// <summary>The connection failed (refused, dropped, timed out): worth another try with a fresh one.</summary>
    private static bool IsTransportFailure(Exception e) => e is SocketException or IOException or TimeoutException
        or ServiceNotConnectedException or ProtocolException or MailKit.Security.AuthenticationException
        || (e is OperationCanceledException && e.InnerException is TimeoutException);

    private static bool IsRefusedForGood(Exception e) => e is SmtpCommandException
    {
        ErrorCode: SmtpErrorCode.RecipientNotAccepted or SmtpErrorCode.MessageNotAccepted,
        StatusCode: >= (SmtpStatusCode)500,
    };

    private static string Describe(Exception e) => e switch
    {
        SmtpCommandException smtp => $"SMTP {(int)smtp.StatusCode} ({smtp.ErrorCode}): {smtp.Message}",
        _ => $"{e.GetType().Name}: {e.Message}",
    };

    private static string Domain(string address) => address[(address.LastIndexOf('@') + 1)..];

    [LoggerMessage(Level = LogLevel.Information, Message = "Sent email {MessageId} ({Template})")]
    private partial void LogSent(Guid messageId, string template);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} emails could not be sent and wait until {NextAttemptAt}: {Error}")]
    private partial void LogDeferred(int count, string error, DateTimeOffset nextAttemptAt);

    [LoggerMessage(Level = LogLevel.Error, Message = "Email {MessageId} to {Recipient} was refused for good: {Error}")]
    private partial void LogRefused(Guid messageId, string recipient, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Email {MessageId} ({Template}) could not be rendered")]
    private partial void LogRenderFailed(Guid messageId, string template, Exception exception);
}
