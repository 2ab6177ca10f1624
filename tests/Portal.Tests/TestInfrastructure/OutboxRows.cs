using Provisioning.Core.Notifications;
using Provisioning.Core.Persistence;

namespace Portal.Tests.TestInfrastructure;

/// <summary>Outbox emails written straight into the database in the state a test needs, for the admin lists.</summary>
public static class OutboxRows
{
    public const string Refused = "550 5.1.1 Recipient address rejected: user unknown";

    /// <summary>
    /// An email created at <paramref name="createdAt"/>: sent five seconds later, failed for good, or pending. A pending
    /// one is due in a year, so a running portal's delivery job leaves it alone.
    /// </summary>
    public static OutboxMessage Email(
        string tenant, string recipient, string subject, DateTimeOffset createdAt, OutboxStatus status = OutboxStatus.Sent, Guid? workspaceId = null)
    {
        var message = new OutboxMessage(
            recipient, $"user-{recipient}", tenant, workspaceId, EmailTemplates.RequesterFailure, "{}", subject, createdAt);
        switch (status)
        {
            case OutboxStatus.Sent:
                message.MarkSent(createdAt.AddSeconds(5));
                break;
            case OutboxStatus.Failed:
                message.MarkFailed(Refused, createdAt.AddSeconds(5));
                break;
            default:
                message.MarkAttemptFailed("Connection refused", createdAt.AddSeconds(5), createdAt.AddYears(1));
                break;
        }

        return message;
    }

    public static async Task SaveAsync(ProvisioningDbContext db, params OutboxMessage[] messages)
    {
        await using (db)
        {
            db.Outbox.AddRange(messages);
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        }
    }
}
