using System.ComponentModel.DataAnnotations;
using MimeKit;

namespace Provisioning.Core.Notifications;

/// <summary>How the SMTP connection is secured.</summary>
public enum SmtpSecurity
{
    /// <summary>Plain text: only for a relay on a trusted network (or a test server).</summary>
    None,

    /// <summary>Upgrade with STARTTLS, and refuse to send if the server cannot.</summary>
    StartTls,

    /// <summary>TLS from the first byte (usually port 465).</summary>
    SslOnConnect,
}

/// <summary><c>Mail:*</c> settings: where email goes and how hard delivery tries.</summary>
public sealed class MailOptions : IValidatableObject
{
    public const string Section = "Mail";

    /// <summary>The sender, e.g. <c>Provisioning Portal &lt;portal@example.com&gt;</c>.</summary>
    public string From { get; set; } = "Provisioning Portal <portal@localhost>";

    /// <summary>Folder for <c>.eml</c> files when no SMTP host is set; empty means <c>&lt;DataDirectory&gt;/mail</c>.</summary>
    public string PickupDirectory { get; set; } = "";

    public SmtpSettings Smtp { get; set; } = new();

    public DeliverySettings Delivery { get; set; } = new();

    /// <summary>Whether mail goes to an SMTP server rather than the pickup folder.</summary>
    public bool UsesSmtp => !string.IsNullOrWhiteSpace(Smtp.Host);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!MailboxAddress.TryParse(From, out var from) || string.IsNullOrEmpty(from.Address) || !from.Address.Contains('@', StringComparison.Ordinal))
        {
            yield return new ValidationResult($"Mail:From '{From}' is not an email address.");
        }

        // Data annotations do not descend into nested settings by themselves.
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(Smtp, new ValidationContext(Smtp), results, validateAllProperties: true);
        Validator.TryValidateObject(Delivery, new ValidationContext(Delivery), results, validateAllProperties: true);
        foreach (var result in results)
        {
            yield return result;
        }

        if (!string.IsNullOrEmpty(Smtp.Username) && Smtp.Security == SmtpSecurity.None)
        {
            yield return new ValidationResult("Mail:Smtp:Security must be StartTls or SslOnConnect when Mail:Smtp:Username is set: credentials never travel in plain text.");
        }

        if (Delivery.RetryMaxDelay < Delivery.RetryBaseDelay)
        {
            yield return new ValidationResult("Mail:Delivery:RetryMaxDelay must be at least Mail:Delivery:RetryBaseDelay.");
        }
    }

    public sealed class SmtpSettings
    {
        /// <summary>Empty: write <c>.eml</c> files to the pickup folder instead.</summary>
        public string Host { get; set; } = "";

        [Range(1, 65535, ErrorMessage = "Mail:Smtp:Port must be between 1 and 65535.")]
        public int Port { get; set; } = 25;

        public SmtpSecurity Security { get; set; } = SmtpSecurity.StartTls;

        /// <summary>Empty: no authentication.</summary>
        public string Username { get; set; } = "";

        /// <summary>Set it from the environment (<c>Mail__Smtp__Password</c>), not in a file.</summary>
        public string Password { get; set; } = "";

        /// <summary>Limit on each SMTP operation (connect, each command).</summary>
        [Range(typeof(TimeSpan), "00:00:01", "00:10:00", ErrorMessage = "Mail:Smtp:Timeout must be between 00:00:01 and 00:10:00.")]
        public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);
    }

    public sealed class DeliverySettings
    {
        /// <summary>How often the delivery job looks for mail that is due.</summary>
        [Range(typeof(TimeSpan), "00:00:00.050", "01:00:00", ErrorMessage = "Mail:Delivery:PollInterval must be between 00:00:00.050 and 01:00:00.")]
        public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

        [Range(1, 1000, ErrorMessage = "Mail:Delivery:BatchSize must be between 1 and 1000.")]
        public int BatchSize { get; set; } = 50;

        /// <summary>
        /// How long a delivery run holds the batch it claimed before another run (on any node) may take it: longer
        /// than a batch takes to send, so a live run never loses its batch; it is how long a dead node's claimed mail waits.
        /// </summary>
        [Range(typeof(TimeSpan), "00:00:10", "01:00:00", ErrorMessage = "Mail:Delivery:ClaimLease must be between 00:00:10 and 01:00:00.")]
        public TimeSpan ClaimLease { get; set; } = TimeSpan.FromMinutes(5);

        /// <summary>Tries of one send within a run (Polly), for a connection that drops or a server that blinks.</summary>
        [Range(1, 10, ErrorMessage = "Mail:Delivery:SendAttempts must be between 1 and 10.")]
        public int SendAttempts { get; set; } = 3;

        /// <summary>First wait between those tries; doubles each time.</summary>
        [Range(typeof(TimeSpan), "00:00:00", "00:01:00", ErrorMessage = "Mail:Delivery:SendRetryDelay must be between 00:00:00 and 00:01:00.")]
        public TimeSpan SendRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

        /// <summary>Wait before a message whose run failed is tried again; doubles per failed try up to <see cref="RetryMaxDelay"/>.</summary>
        [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00", ErrorMessage = "Mail:Delivery:RetryBaseDelay must be between 00:00:00 and 1.00:00:00.")]
        public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(30);

        [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00", ErrorMessage = "Mail:Delivery:RetryMaxDelay must be between 00:00:00 and 1.00:00:00.")]
        public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromMinutes(15);

        /// <summary>When a message whose delivery failed <paramref name="attempts"/> times is due again.</summary>
        public TimeSpan RetryDelay(int attempts)
        {
            var factor = Math.Pow(2, Math.Clamp(attempts - 1, 0, 30));
            return TimeSpan.FromTicks((long)Math.Min(RetryBaseDelay.Ticks * factor, RetryMaxDelay.Ticks));
        }
    }
}

/// <summary><c>Portal:PublicBaseUrl</c>: the address people reach the portal at, for links in email.</summary>
public sealed class PortalLinkOptions : IValidatableObject
{
    public const string Section = "Portal";

    public string PublicBaseUrl { get; set; } = "http://localhost:5152";

    public string WorkspaceUrl(Guid workspaceId) => $"{PublicBaseUrl.TrimEnd('/')}/workspaces/{workspaceId}";

    public string AdminUrl() => $"{PublicBaseUrl.TrimEnd('/')}/admin";

    public string AcceptInvitationUrl(string token) => $"{PublicBaseUrl.TrimEnd('/')}/account/accept-invitation?token={Uri.EscapeDataString(token)}";

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Uri.TryCreate(PublicBaseUrl, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            yield return new ValidationResult($"Portal:PublicBaseUrl '{PublicBaseUrl}' must be an absolute http or https address.");
        }
    }
}
