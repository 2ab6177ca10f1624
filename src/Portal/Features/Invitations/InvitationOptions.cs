using System.ComponentModel.DataAnnotations;

namespace Portal.Features.Invitations;

/// <summary><c>Portal:Invitations</c>.</summary>
public sealed class InvitationOptions
{
    public const string Section = "Portal:Invitations";

    /// <summary>How long an invitation's link works after it was sent (or sent again).</summary>
    [Range(typeof(TimeSpan), "00:05:00", "90.00:00:00", ErrorMessage = "Portal:Invitations:ValidFor must be between 00:05:00 and 90.00:00:00.")]
    public TimeSpan ValidFor { get; set; } = TimeSpan.FromDays(7);
}
