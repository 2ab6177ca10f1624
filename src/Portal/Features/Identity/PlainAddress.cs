using System.ComponentModel.DataAnnotations;
using MimeKit;

namespace Portal.Features.Identity;

/// <summary>
/// The one rule for an address a person or a setting gives the portal (an account's, an invitation's): one bare mailbox,
/// as the mail transport will read it. Never a display name, a list, or anything with a line break in it (header injection).
/// </summary>
public static class PlainAddress
{
    private static readonly EmailAddressAttribute Shape = new();

    /// <summary>Null when <paramref name="value"/> is one plain address; else what is wrong with it, in words.</summary>
    public static string? Problem(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return "Give an email address.";
        }

        if (value.IndexOfAny([',', ';']) >= 0)
        {
            return "Give one address, not several.";
        }

        if (value.Any(c => char.IsControl(c) || char.IsWhiteSpace(c)))
        {
            return "An email address has no spaces or line breaks.";
        }

        if (value.Length > Provisioning.Core.Identity.Invitation.MaxEmailLength)
        {
            return $"An email address can be at most {Provisioning.Core.Identity.Invitation.MaxEmailLength} characters.";
        }

        return MailboxAddress.TryParse(value, out var mailbox)
            && string.IsNullOrEmpty(mailbox.Name)
            && string.Equals(mailbox.Address, value, StringComparison.Ordinal)
            && Shape.IsValid(value)
                ? null
                : "This is not an email address (for example jane@initech.example).";
    }
}
