namespace Portal.Api;

/// <summary>Enum filters in query strings, written as the API writes enums in JSON.</summary>
public static class ApiEnums
{
    /// <summary>
    /// Parses a filter: empty means no filter; otherwise only a value's name in lowercase (the enums filtered on are
    /// single words), never a number or another casing. False for anything else.
    /// </summary>
    public static bool TryParse<TEnum>(string? value, out TEnum? result)
        where TEnum : struct, Enum
    {
        result = null;
        if (string.IsNullOrEmpty(value))
        {
            return true;
        }

        if (value.All(char.IsAsciiLetterLower) && Enum.TryParse<TEnum>(value, ignoreCase: true, out var parsed))
        {
            result = parsed;
            return true;
        }

        return false;
    }

    /// <summary>The error for a filter <see cref="TryParse{TEnum}"/> refused, listing the values it takes: "status must be one of pending, sent, failed."</summary>
    public static string OneOf<TEnum>(string field)
        where TEnum : struct, Enum =>
        $"{field} must be one of {string.Join(", ", Enum.GetNames<TEnum>().Select(name => name.ToLowerInvariant()))}.";
}
