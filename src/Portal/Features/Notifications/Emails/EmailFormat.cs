using System.Globalization;

namespace Portal.Features.Notifications.Emails;

/// <summary>How emails write values: readers are anywhere, so times are UTC and say so.</summary>
internal static class EmailFormat
{
    public static string Time(DateTimeOffset? at) =>
        at is { } value ? value.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture) : "—";
}
