using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Portal.Tests.TestInfrastructure;

/// <summary>
/// Counts the answers of 500 and more a portal gave, across every client that shares it; a 503 with
/// <c>Retry-After</c> (the portal stopping, asking to be asked again) is an answer, not an error.
/// </summary>
public sealed class ServerErrorCounter
{
    private readonly List<string> _errors = [];

    public IReadOnlyList<string> Errors
    {
        get
        {
            lock (_errors)
            {
                return [.. _errors];
            }
        }
    }

    internal void Add(string error)
    {
        lock (_errors)
        {
            _errors.Add(error);
        }
    }
}

/// <summary>
/// The REST API as a member and a platform admin use it, against a portal running as its own process: what the
/// crash-point tests and the chaos soak do and check from outside. Every answer of 500 or more is counted.
/// </summary>
public sealed class PortalApiClient : IDisposable
{
    public const string Password = "Portal-demo-1!";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly HttpClient _member;
    private readonly HttpClient _ops;

    private PortalApiClient(HttpClient member, HttpClient ops)
    {
        _member = member;
        _ops = ops;
    }

    /// <summary>Signs in as the demo member of acme and the demo platform admin.</summary>
    public static async Task<PortalApiClient> SignInAsync(Uri baseAddress, ServerErrorCounter errors, CancellationToken cancellationToken)
    {
        var member = await LoginAsync(baseAddress, "member@acme.test", errors, cancellationToken);
        var ops = await LoginAsync(baseAddress, "ops@platform.test", errors, cancellationToken);
        return new PortalApiClient(member, ops);
    }

    /// <summary>
    /// Creates a workspace; with the same <paramref name="idempotencyKey"/> again (after a restart, say) it answers
    /// with the same workspace. Null when the portal was stopped while the request ran: no answer (SIGKILL), or 503
    /// <c>shutting_down</c> (SIGTERM).
    /// </summary>
    public async Task<Guid?> CreateAsync(string name, string releaseId, string idempotencyKey, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/workspaces")
        {
            Content = JsonContent.Create(new Dictionary<string, object>
            {
                ["name"] = name,
                ["release_id"] = releaseId,
                ["size"] = new Dictionary<string, int> { ["cpu"] = 1, ["memory_gb"] = 1 },
            }),
        };
        request.Headers.Add("Idempotency-Key", idempotencyKey);
        try
        {
            using var response = await _member.SendAsync(request, cancellationToken);
            if (response.StatusCode == HttpStatusCode.ServiceUnavailable && response.Headers.RetryAfter is not null)
            {
                return null;
            }

            return (await ReadAsync(response, HttpStatusCode.Accepted, $"create {name}", cancellationToken)).GetProperty("workspace_id").GetGuid();
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    public async Task<JsonElement> WorkspaceAsync(Guid id, CancellationToken cancellationToken) =>
        await GetAsync(_member, $"/api/v1/workspaces/{id}", cancellationToken);

    public async Task<IReadOnlyList<JsonElement>> EventsAsync(Guid id, CancellationToken cancellationToken) =>
        [.. (await GetAsync(_member, $"/api/v1/workspaces/{id}/events", cancellationToken)).EnumerateArray()];

    public async Task<IReadOnlyList<JsonElement>> ResourcesAsync(Guid id, CancellationToken cancellationToken) =>
        [.. (await GetAsync(_member, $"/api/v1/workspaces/{id}/resources", cancellationToken)).EnumerateArray()];

    /// <summary>The simulator's whole inventory, deleted resources included.</summary>
    public async Task<IReadOnlyList<JsonElement>> InventoryAsync(CancellationToken cancellationToken) =>
        [.. (await GetAsync(_ops, "/api/v1/platform/simulator/inventory", cancellationToken)).EnumerateArray()];

    public async Task<JsonElement> CapacityAsync(CancellationToken cancellationToken) =>
        await GetAsync(_ops, "/api/v1/platform/simulator/capacity", cancellationToken);

    public async Task<IReadOnlyList<JsonElement>> OrphansAsync(CancellationToken cancellationToken) =>
        [.. (await GetAsync(_ops, "/api/v1/platform/orphans", cancellationToken)).EnumerateArray()];

    /// <summary>Every email of the outbox, every tenant's, every page.</summary>
    public async Task<IReadOnlyList<JsonElement>> OutboxAsync(CancellationToken cancellationToken)
    {
        var all = new List<JsonElement>();
        for (var page = 1; ; page++)
        {
            var body = await GetAsync(_ops, $"/api/v1/platform/outbox?page={page}&page_size=100", cancellationToken);
            var items = body.GetProperty("items").EnumerateArray().ToList();
            all.AddRange(items);
            if (items.Count == 0 || all.Count >= body.GetProperty("total").GetInt32())
            {
                return all;
            }
        }
    }

    public async Task AddFaultAsync(string step, string? code, FaultOn on = FaultOn.Execute, int? times = null, double? probability = null,
        int latencyMs = 0, CancellationToken cancellationToken = default)
    {
        var body = new Dictionary<string, object?> { ["step"] = step, ["on"] = on == FaultOn.Execute ? "execute" : "compensate" };
        if (code is not null)
        {
            body["code"] = code;
        }

        if (times is not null)
        {
            body["times"] = times;
        }

        if (probability is not null)
        {
            body["probability"] = probability;
        }

        if (latencyMs > 0)
        {
            body["latency_ms"] = latencyMs;
        }

        using var response = await _ops.PostAsJsonAsync("/api/v1/platform/simulator/faults", body, cancellationToken);
        await ReadAsync(response, HttpStatusCode.Created, $"add a fault on {step}", cancellationToken);
    }

    public async Task<IReadOnlyList<JsonElement>> FaultsAsync(CancellationToken cancellationToken) =>
        [.. (await GetAsync(_ops, "/api/v1/platform/simulator/faults", cancellationToken)).EnumerateArray()];

    public async Task ClearFaultsAsync(CancellationToken cancellationToken)
    {
        using var response = await _ops.DeleteAsync("/api/v1/platform/simulator/faults", cancellationToken);
        await ExpectAsync(response, HttpStatusCode.NoContent, "clear the faults", cancellationToken);
    }

    public async Task SetCapacityAsync(int cpu, int memoryGb, CancellationToken cancellationToken)
    {
        using var response = await _ops.PutAsJsonAsync("/api/v1/platform/simulator/capacity", new { cpu, memory_gb = memoryGb }, cancellationToken);
        await ExpectAsync(response, HttpStatusCode.OK, "set the capacity", cancellationToken);
    }

    /// <summary>Asks for a retry; returns the status code (202 accepted, or a 4xx/503 refusal with its problem).</summary>
    public async Task<HttpStatusCode> RetryAsync(Guid id, CancellationToken cancellationToken)
    {
        using var response = await _member.PostAsync($"/api/v1/workspaces/{id}/retry", content: null, cancellationToken);
        return response.StatusCode;
    }

    /// <summary>Asks for a deletion; null when the request got no answer (the portal was stopped while it ran).</summary>
    public async Task<HttpStatusCode?> DeleteAsync(Guid id, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await _member.DeleteAsync($"/api/v1/workspaces/{id}", cancellationToken);
            return response.StatusCode;
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    public void Dispose()
    {
        _member.Dispose();
        _ops.Dispose();
    }

    private static async Task<HttpClient> LoginAsync(Uri baseAddress, string email, ServerErrorCounter errors, CancellationToken cancellationToken)
    {
        var client = new HttpClient(new CountingHandler(errors) { InnerHandler = new HttpClientHandler() })
        {
            BaseAddress = baseAddress,
            Timeout = TimeSpan.FromSeconds(60),
        };
        using var response = await client.PostAsJsonAsync("/api/v1/auth/login", new { email, password = Password }, cancellationToken);
        var token = (await ReadAsync(response, HttpStatusCode.OK, $"sign in as {email}", cancellationToken)).GetProperty("access_token").GetString();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private static async Task<JsonElement> GetAsync(HttpClient client, string path, CancellationToken cancellationToken)
    {
        using var response = await client.GetAsync(path, cancellationToken);
        return await ReadAsync(response, HttpStatusCode.OK, $"GET {path}", cancellationToken);
    }

    private static async Task<JsonElement> ReadAsync(HttpResponseMessage response, HttpStatusCode expected, string what, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (response.StatusCode != expected)
        {
            throw new InvalidOperationException($"Could not {what}: {(int)response.StatusCode} {body}");
        }

        return JsonSerializer.Deserialize<JsonElement>(body, Json);
    }

    private static async Task ExpectAsync(HttpResponseMessage response, HttpStatusCode expected, string what, CancellationToken cancellationToken)
    {
        if (response.StatusCode != expected)
        {
            throw new InvalidOperationException($"Could not {what}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }
    }

    private sealed class CountingHandler(ServerErrorCounter errors) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            if ((int)response.StatusCode >= 500 && !(response.StatusCode == HttpStatusCode.ServiceUnavailable && response.Headers.RetryAfter is not null))
            {
                errors.Add($"{request.Method} {request.RequestUri?.PathAndQuery} → {(int)response.StatusCode}");
            }

            return response;
        }
    }
}

public enum FaultOn
{
    Execute,
    Compensate,
}
