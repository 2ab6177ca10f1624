using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace Portal.Api;

/// <summary>
/// A request the API cannot even read — JSON that is not well-formed, a value of the wrong type, a field the
/// endpoint does not take, a query value that is not a number — answered 400 with a problem that says which part
/// is wrong, instead of a bare status.
/// </summary>
public sealed partial class UnreadableRequests(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException bad || !httpContext.Request.Path.StartsWithSegments("/api") || httpContext.Response.HasStarted)
        {
            return false;
        }

        httpContext.Response.StatusCode = bad.StatusCode;
        var problem = new ProblemDetails { Status = bad.StatusCode, Title = "Bad request", Detail = Describe(bad) };
        problem.Extensions["code"] = ApiProblems.DefaultCode(bad.StatusCode);
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = problem, Exception = exception });
    }

    /// <summary>What is wrong, in the API's own names (snake_case fields), never .NET type names.</summary>
    internal static string Describe(BadHttpRequestException bad)
    {
        if (bad.InnerException is JsonException json)
        {
            if (UnmappedMember().Match(json.Message) is { Success: true } unmapped)
            {
                return $"'{Field(json.Path) ?? unmapped.Groups["name"].Value}' is not a field of this request.";
            }

            return json.Message.StartsWith("The JSON value could not be converted", StringComparison.Ordinal) && Field(json.Path) is { } field
                ? $"'{field}' has a value of the wrong type."
                : $"The request body is not well-formed JSON (line {json.LineNumber + 1}, position {json.BytePositionInLine + 1}).";
        }

        if (QueryValue().Match(bad.Message) is { Success: true } query)
        {
            // The framework names the type as C# does: "int?", "Nullable<int>", "Guid".
            var type = query.Groups["type"].Value.Replace("Nullable<", "", StringComparison.Ordinal).TrimEnd('>', '?').ToLowerInvariant();
            var expected = type switch
            {
                "int" or "int32" or "long" or "int64" => "a whole number",
                "guid" => "an id",
                "bool" or "boolean" => "true or false",
                _ => "a valid value",
            };
            return $"'{query.Groups["name"].Value}' must be {expected}; \"{query.Groups["value"].Value}\" is not.";
        }

        return "The request could not be read.";
    }

    /// <summary><c>$.size.cpu</c> → <c>size.cpu</c> (the path of an unknown member ends with its name); null for the root.</summary>
    private static string? Field(string? path) => path?.TrimStart('$').TrimStart('.') is { Length: > 0 } field ? field : null;

    [GeneratedRegex("The JSON property '(?<name>[^']+)' could not be mapped")]
    private static partial Regex UnmappedMember();

    [GeneratedRegex("""Failed to bind parameter "(?<type>[^" ]+) (?<name>[^"]+)" from "(?<value>[^"]*)"\.""")]
    private static partial Regex QueryValue();
}
