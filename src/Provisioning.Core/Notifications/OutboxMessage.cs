namespace Provisioning.Core.Notifications;

/// <summary>Where an email is: waiting (first try or a retry after a failure), sent, or given up on.</summary>
public enum OutboxStatus
{
    /// <summary>Waiting for <see cref="OutboxMessage.NextAttemptAt"/>; a transient failure keeps a message here.</summary>
    Pending,
    Sent,

    /// <summary>Refused for good (the server rejected the recipient or the message): only a resend sends it again.</summary>
    Failed,
}

/// <summary>
/// One email of the transactional outbox: written in the same transaction as the event it tells about, and
/// delivered later by <see cref="OutboxDelivery"/>, which renders <see cref="Template"/> with <see cref="Model"/>.
/// </summary>
public sealed class OutboxMessage
{
    private const int MaxErrorLength = 2000;

    private OutboxMessage()
    {
    }

    internal OutboxMessage(
        string recipient, string recipientUserId, string tenantId, Guid? workspaceId,
        string template, string model, string subject, DateTimeOffset createdAt)
    {
        Id = Guid.CreateVersion7(createdAt);
        Recipient = recipient;
        RecipientUserId = recipientUserId;
        TenantId = tenantId;
        WorkspaceId = workspaceId;
        Template = template;
        Model = model;
        Subject = subject;
        Status = OutboxStatus.Pending;
        NextAttemptAt = createdAt;
        CreatedAt = createdAt;
    }

    public Guid Id { get; private set; }

    /// <summary>The email address, as it was when the message was written.</summary>
    public string Recipient { get; private set; } = "";

    public string RecipientUserId { get; private set; } = "";

    public string TenantId { get; private set; } = "";

    public Guid? WorkspaceId { get; private set; }

    /// <summary>One of <see cref="EmailTemplates"/>.</summary>
    public string Template { get; private set; } = "";

    /// <summary>The template's model as JSON (snake_case): everything the email says, fixed when it was written.</summary>
    public string Model { get; private set; } = "{}";

    public string Subject { get; private set; } = "";

    public OutboxStatus Status { get; private set; }

    /// <summary>Deliveries tried, successful or not.</summary>
    public int Attempts { get; private set; }

    public string? LastError { get; private set; }

    /// <summary>When a pending message is due; null once sent or failed.</summary>
    public DateTimeOffset? NextAttemptAt { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset? LastAttemptAt { get; private set; }

    public DateTimeOffset? SentAt { get; private set; }

    /// <summary>
    /// The delivery run that claimed this pending message, until <see cref="ClaimedUntil"/>: no other run, on this
    /// node or another, takes it meanwhile. Null when no run holds it.
    /// </summary>
    public string? ClaimedBy { get; private set; }

    public DateTimeOffset? ClaimedUntil { get; private set; }

    /// <summary>How often a platform admin asked for it again after it was sent or failed.</summary>
    public int Resends { get; private set; }

    /// <summary>
    /// Names this delivery: the Message-Id and the pickup file name. A redelivery of the same message (the
    /// at-least-once edge) carries the same key, so receivers can drop it; a resend gets a new one.
    /// </summary>
    public string DeliveryKey => Resends == 0 ? Id.ToString("N") : $"{Id:N}-{Resends}";

    internal void MarkSent(DateTimeOffset at)
    {
        Status = OutboxStatus.Sent;
        Attempts++;
        LastAttemptAt = at;
        SentAt = at;
        NextAttemptAt = null;
        Unclaim();
    }

    /// <summary>A try failed for a reason that may pass (the server is down): stays pending until <paramref name="retryAt"/>.</summary>
    internal void MarkAttemptFailed(string error, DateTimeOffset at, DateTimeOffset retryAt)
    {
        Attempts++;
        LastError = Truncate(error);
        LastAttemptAt = at;
        NextAttemptAt = retryAt;
        Unclaim();
    }

    internal void MarkFailed(string error, DateTimeOffset at)
    {
        Status = OutboxStatus.Failed;
        Attempts++;
        LastError = Truncate(error);
        LastAttemptAt = at;
        NextAttemptAt = null;
        Unclaim();
    }

    /// <summary>Queues the message again now: a sent or failed one as a new delivery, a pending one without its wait.</summary>
    internal void Resend(DateTimeOffset at)
    {
        if (Status != OutboxStatus.Pending)
        {
            Status = OutboxStatus.Pending;
            Resends++;
        }

        NextAttemptAt = at;
    }

    private void Unclaim()
    {
        ClaimedBy = null;
        ClaimedUntil = null;
    }

    private static string Truncate(string error) => error.Length <= MaxErrorLength ? error : error[..MaxErrorLength];
}
