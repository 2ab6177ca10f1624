using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Portal.Tests.TestInfrastructure;

/// <summary>Requests and assertions the REST API tests share: problem details, snake_case, workspace creation.</summary>
public static partial class ApiTestExtensions
{
    public const string ProblemJson = "application/problem+json";

    /// <summary>A valid workspace name no other test uses: starts with a letter, lowercase, at most 63 characters.</summary>
    public static string UniqueName(string prefix = "ws") => $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(63, prefix.Length + 13)];

    public static Task<HttpResponseMessage> CreateWorkspaceAsync(
        this HttpClient client, string name, string releaseId, object? size = null, string? idempotencyKey = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/workspaces")
        {
            Content = JsonContent.Create(size is null
                ? new Dictionary<string, object?> { ["name"] = name, ["release_id"] = releaseId }
                : new Dictionary<string, object?> { ["name"] = name, ["release_id"] = releaseId, ["size"] = size }),
        };
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return client.SendAsync(request, TestContext.Current.CancellationToken);
    }

    /// <summary>Creates a workspace, asserts 202, and returns its id.</summary>
    public static async Task<Guid> CreateAcceptedAsync(this HttpClient client, string releaseId, string? name = null, object? size = null)
    {
        using var response = await client.CreateWorkspaceAsync(name ?? UniqueName(), releaseId, size);
        var body = await response.ShouldBeJsonAsync(HttpStatusCode.Accepted);
        return body.GetProperty("workspace_id").GetGuid();
    }

    public static Task<HttpResponseMessage> PostEmptyAsync(this HttpClient client, string path) =>
        client.PostAsync(path, content: null, TestContext.Current.CancellationToken);

    /// <summary>Asserts the status and a JSON body, and returns the body.</summary>
    public static async Task<JsonElement> ShouldBeJsonAsync(this HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        response.StatusCode.ShouldBe(status, $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: {text}");
        response.Content.Headers.ContentType?.MediaType.ShouldBe("application/json");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>
    /// Asserts an RFC 9457 problem: the status, <c>application/problem+json</c>, a <c>status</c> member that
    /// agrees, and a <c>code</c> member (equal to <paramref name="code"/> when given). Returns the problem.
    /// </summary>
    public static async Task<JsonElement> ShouldBeProblemAsync(this HttpResponseMessage response, HttpStatusCode status, string? code = null)
    {
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        var what = $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} → {(int)response.StatusCode}: {text}";
        response.StatusCode.ShouldBe(status, what);
        return ShouldBeProblemBody(response, text, what, code);
    }

    /// <summary>Asserts any 4xx problem with a <c>code</c> member (the bad-input rule: never a 5xx, never a bare status).</summary>
    public static async Task<JsonElement> ShouldBeClientProblemAsync(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        var what = $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} → {(int)response.StatusCode}: {text}";
        ((int)response.StatusCode).ShouldBeInRange(400, 499, what);
        return ShouldBeProblemBody(response, text, what, code: null);
    }

    /// <summary>Every property name in the document is snake_case (dictionary keys inside <paramref name="skip"/> members aside).</summary>
    public static void ShouldBeSnakeCase(this JsonElement element, params string[] skip)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    SnakeCase().IsMatch(property.Name).ShouldBeTrue($"'{property.Name}' is not snake_case in {element}");
                    if (!skip.Contains(property.Name))
                    {
                        property.Value.ShouldBeSnakeCase(skip);
                    }
                }

                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    item.ShouldBeSnakeCase(skip);
                }

                break;
        }
    }

    public static string? Str(this JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind != JsonValueKind.Null ? value.GetString() : null;

    private static JsonElement ShouldBeProblemBody(HttpResponseMessage response, string text, string what, string? code)
    {
        response.Content.Headers.ContentType?.MediaType.ShouldBe(ProblemJson, what);
        var problem = JsonDocument.Parse(text).RootElement.Clone();
        problem.ValueKind.ShouldBe(JsonValueKind.Object, what);
        problem.TryGetProperty("status", out var status).ShouldBeTrue(what);
        status.GetInt32().ShouldBe((int)response.StatusCode, what);
        problem.TryGetProperty("code", out var codeMember).ShouldBeTrue($"no code member: {what}");
        codeMember.ValueKind.ShouldBe(JsonValueKind.String, what);
        codeMember.GetString().ShouldNotBeNullOrWhiteSpace(what);
        if (code is not null)
        {
            codeMember.GetString().ShouldBe(code, what);
        }

        return problem;
    }

    [GeneratedRegex("^[a-z][a-z0-9]*(_[a-z0-9]+)*$")]
    private static partial Regex SnakeCase();
}
