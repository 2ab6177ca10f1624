using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Portal.Tests.TestInfrastructure;
using static Portal.Tests.TestInfrastructure.PortalApiFactory;

namespace Portal.Tests.Portal.Api;

/// <summary>
/// Issue 18: every operation of the published OpenAPI document, sent what a careless or hostile client sends —
/// missing and wrongly typed fields, very long and non-ASCII strings, bad and unknown ids, unknown query parameters,
/// broken JSON. Whatever the operation, the answer is never a 5xx, an error is problem+json, and nothing changes in
/// the database. The document drives it, so a new endpoint is fuzzed the day it is published.
/// </summary>
public abstract class OpenApiFuzzTests(PortalApiFactory portal)
{
    private const string NonAscii = "Ünïcødé ✓ 数据 🚀";
    private static readonly string Long = string.Concat(Enumerable.Repeat("ä✓", 5_000));

    // As long as a request line may be: beyond Kestrel's 8 KB it answers 414 itself, before the portal sees the request.
    private static readonly string LongQuery = string.Concat(Enumerable.Repeat("ä✓", 250));
    private static readonly string[] Methods = ["get", "post", "put", "patch", "delete"];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task EveryOperation_AnswersBadInputWithAProblem_NeverA5xx_AndChangesNothing()
    {
        await portal.WaitForQuietAsync();
        using var anonymous = portal.Anonymous();
        using var document = JsonDocument.Parse(await anonymous.GetStringAsync("/openapi/v1.json", Ct));
        using var platformAdmin = await portal.LoginAsync(PlatformOps);
        using var tenantAdmin = await portal.LoginAsync(AcmeAdmin);
        var failures = new List<string>();
        var sent = 0;

        foreach (var path in document.RootElement.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject().Where(o => Methods.Contains(o.Name)))
            {
                // The caller who may use the operation, so the input itself is what is judged; Identity's own
                // endpoints anonymously (a signed-in caller could change their own account with them).
                var client = path.Name.StartsWith("/api/v1/auth", StringComparison.Ordinal) ? anonymous
                    : path.Name.StartsWith("/api/v1/platform", StringComparison.Ordinal) ? platformAdmin
                    : tenantAdmin;
                var before = await CountRowsAsync();
                foreach (var (uri, body) in Cases(path.Name, operation.Name, operation.Value, document.RootElement))
                {
                    using var request = new HttpRequestMessage(new HttpMethod(operation.Name.ToUpperInvariant()), uri);
                    if (body is not null)
                    {
                        request.Content = new StringContent(body, Encoding.UTF8);
                        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                    }

                    using var response = await client.SendAsync(request, Ct);
                    sent++;
                    var what = $"{operation.Name.ToUpperInvariant()} {Shorten(uri)} {Shorten(body ?? "")}";
                    if ((int)response.StatusCode >= 500)
                    {
                        failures.Add($"{what} → {(int)response.StatusCode}: {Shorten(await response.Content.ReadAsStringAsync(Ct))}");
                    }
                    else if ((int)response.StatusCode >= 400 && response.Content.Headers.ContentType?.MediaType != "application/problem+json")
                    {
                        failures.Add($"{what} → {(int)response.StatusCode} without problem+json ({response.Content.Headers.ContentType})");
                    }
                }

                if (await CountRowsAsync() is var after && after != before)
                {
                    failures.Add($"{operation.Name.ToUpperInvariant()} {path.Name} changed the database: {before} → {after}");
                }
            }
        }

        sent.ShouldBeGreaterThan(200, "the document was read and every operation sent something");
        failures.ShouldBeEmpty(string.Join(Environment.NewLine, failures));
    }

    /// <summary>The requests one operation gets: its path with bad ids, bad query values, and broken bodies.</summary>
    private static IEnumerable<(string Uri, string? Body)> Cases(string template, string method, JsonElement operation, JsonElement document)
    {
        var hasBody = operation.TryGetProperty("requestBody", out var requestBody);
        var jsonSchema = hasBody && requestBody.GetProperty("content").TryGetProperty("application/json", out var json) && json.TryGetProperty("schema", out var schema)
            ? Resolve(schema, document)
            : (JsonElement?)null;
        var parameters = operation.TryGetProperty("parameters", out var list) ? list.EnumerateArray().ToList() : [];
        var query = parameters.Where(p => p.GetProperty("in").GetString() == "query").ToList();
        var pathIds = template.Contains('{', StringComparison.Ordinal);
        var uris = pathIds
            ? new[] { "not-an-id", NonAscii, new string('9', 1_000), Guid.NewGuid().ToString(), "0" }.Select(id => FillPath(template, id)).ToList()
            : [template];
        var minimalBody = jsonSchema is not null ? "{}" : null;

        foreach (var uri in uris)
        {
            yield return (uri, minimalBody);
        }

        // An unknown query parameter is harmless on a read or next to a bad id; on a write without input it would be a valid request.
        if (method == "get" || pathIds)
        {
            yield return ($"{uris[0]}?unknown_parameter={Uri.EscapeDataString(NonAscii)}", minimalBody);
        }

        foreach (var parameter in query)
        {
            var name = parameter.GetProperty("name").GetString()!;
            foreach (var value in new[] { "not-a-number", "-1", "99999999999999999999", LongQuery, NonAscii, "" })
            {
                yield return ($"{uris[0]}?{Uri.EscapeDataString(name)}={Uri.EscapeDataString(value)}", minimalBody);
            }
        }

        if (jsonSchema is not { } bodySchema)
        {
            if (hasBody)
            {
                yield return (uris[0], null);
            }

            yield break;
        }

        foreach (var broken in new[] { "", "{", "[]", "\"text\"", "null", "{\"unknown_field\": 1}" })
        {
            yield return (uris[0], broken);
        }

        var properties = bodySchema.TryGetProperty("properties", out var props) ? props.EnumerateObject().ToList() : [];
        foreach (var property in properties)
        {
            foreach (var wrong in WrongValues(Resolve(property.Value, document)))
            {
                yield return (uris[0], $"{{\"{property.Name}\": {wrong}}}");
            }
        }

        // Every field present, each as long and as foreign as a string gets.
        if (properties.Count > 0)
        {
            yield return (uris[0], JsonSerializer.Serialize(properties.ToDictionary(p => p.Name, _ => Long)));
            yield return (uris[0], JsonSerializer.Serialize(properties.ToDictionary(p => p.Name, _ => NonAscii)));
        }
    }

    /// <summary>Values of a type the field is not, plus extremes of the one it is.</summary>
    private static IEnumerable<string> WrongValues(JsonElement schema)
    {
        var type = TypeOf(schema);
        return type switch
        {
            "string" => ["12345", "true", "[]", "{}", JsonSerializer.Serialize(Long), JsonSerializer.Serialize("\r\nBcc: x@evil.test")],
            "integer" or "number" => ["\"abc\"", "1e400", "-99999999999", "1.5", "[]"],
            "boolean" => ["\"maybe\"", "2", "{}"],
            "array" => ["\"x\"", "{}", "[null, 1, \"x\"]"],
            _ => ["\"x\"", "[]", "123"],
        };
    }

    private static string? TypeOf(JsonElement schema) =>
        !schema.TryGetProperty("type", out var type) ? null
        : type.ValueKind == JsonValueKind.Array ? type.EnumerateArray().Select(t => t.GetString()).FirstOrDefault(t => t != "null")
        : type.GetString();

    private static JsonElement Resolve(JsonElement schema, JsonElement document)
    {
        while (schema.TryGetProperty("$ref", out var reference))
        {
            var name = reference.GetString()!.Split('/')[^1];
            schema = document.GetProperty("components").GetProperty("schemas").GetProperty(name);
        }

        return schema;
    }

    private static string FillPath(string template, string id)
    {
        var builder = new StringBuilder();
        var inside = false;
        foreach (var c in template)
        {
            if (c == '{')
            {
                inside = true;
                builder.Append(Uri.EscapeDataString(id));
            }
            else if (c == '}')
            {
                inside = false;
            }
            else if (!inside)
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    private async Task<string> CountRowsAsync()
    {
        await using var db = await portal.DbAsync();
        var counts = new[]
        {
            await db.Tenants.CountAsync(Ct), await db.Users.CountAsync(Ct), await db.Invitations.CountAsync(Ct),
            await db.Workspaces.CountAsync(Ct), await db.Attempts.CountAsync(Ct), await db.Events.CountAsync(Ct),
            await db.Resources.CountAsync(Ct), await db.Outbox.CountAsync(Ct), await db.Notifications.CountAsync(Ct),
            await db.Releases.CountAsync(Ct), await db.IdempotencyRecords.CountAsync(Ct), await db.SimulatedFaults.CountAsync(Ct),
        };
        return string.Join("/", counts);
    }

    private static string Shorten(string text) => text.Length <= 120 ? text : $"{text[..120]}…";
}

public sealed class OpenApiFuzzTestsOnSqlite(PortalApiFactory portal) : OpenApiFuzzTests(portal), IClassFixture<PortalApiFactory>;

public sealed class OpenApiFuzzTestsOnPostgres(PostgresPortalApiFactory portal) : OpenApiFuzzTests(portal), IClassFixture<PostgresPortalApiFactory>;
