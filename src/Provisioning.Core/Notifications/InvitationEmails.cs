using System.Text.Json;
using Provisioning.Core.Identity;
using Provisioning.Core.Persistence;

namespace Provisioning.Core.Notifications;

/// <summary>The write side of an invitation's email: added to the save that creates or resends the invitation.</summary>
public static class InvitationEmails
{
    public static OutboxMessage Add(ProvisioningDbContext db, Invitation invitation, InvitationModel model, DateTimeOffset now)
    {
        if (model.AcceptUrl is not null)
        {
            throw new ArgumentException("The link of an invitation is made at delivery; the outbox must not hold it.", nameof(model));
        }

        // No account yet, so no recipient user id: the address is all there is.
        var message = new OutboxMessage(
            invitation.Email, "", invitation.TenantId, null, EmailTemplates.Invitation,
            JsonSerializer.Serialize(model, EmailTemplates.ModelJson),
            $"You are invited to {model.TenantName} on the Provisioning Portal", now);
        db.Outbox.Add(message);
        return message;
    }
}
