using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Provisioning.Core.Errors;
using Provisioning.Core.Templates;

namespace Provisioning.Core.Steps.Http;

/// <summary>
/// A template step with <c>http:</c> (DESIGN §11): one request with <c>Idempotency-Key</c> (the step's key, stable
/// across tries, attempts and restarts) and <c>traceparent</c>. 2xx is success — a 202 with <c>Location</c> is polled
/// until it is done; 408, 429, 5xx and connection errors are transient (a <c>Retry-After</c> stretches the wait); a 4xx
/// problem+json with a catalogue <c>code</c> fails with that code, any other 4xx with <c>unknown</c>. Response fields
/// named in <c>outputs:</c> become outputs. An HTTP step has nothing to compensate.
/// </summary>
public sealed class HttpStep(TemplateStep definition, HttpAction action, IHttpClientFactory clients, IConfiguration configuration, IStepLog log, TimeProvider time)
    : IProvisioningStep
{
    public const string ClientName = "provisioning-http-steps";

    private static readonly TimeSpan DefaultPollInterval = TimeSpan.FromSeconds(2);

    public string Name => definition.Name;

    public ResourcePolicy OnFailure => definition.OnFailure;

    public async Task ExecuteAsync(StepContext context)
    {
        var variables = StepEnvironment.Variables(context, "execute", artifactPath: null);
        var url = StepEnvironment.Expand(action.Url, variables);
        using var request = new HttpRequestMessage(new HttpMethod(action.Method), url);
        foreach (var (name, value) in action.Headers)
        {
            var expanded = StepEnvironment.Expand(value, variables, secret => configuration[$"Provisioning:Secrets:{secret}"]);
            request.Headers.TryAddWithoutValidation(name, expanded);
        }

        request.Headers.TryAddWithoutValidation("Idempotency-Key", context.IdempotencyKey);
        request.Headers.TryAddWithoutValidation("traceparent", TraceParent());
        if (action.Body is { } body)
        {
            request.Content = new StringContent(StepEnvironment.Expand(body, variables), Encoding.UTF8, "application/json");
        }

        var client = clients.CreateClient(ClientName);
        await using var writer = await log.OpenAsync(context, "execute");
        var response = await SendAsync(client, request, context, writer);
        try
        {
            // Accepted, and done elsewhere: ask where it said until it is no longer 202.
            while (response.StatusCode == HttpStatusCode.Accepted && response.Headers.Location is { } location)
            {
                var wait = response.Headers.RetryAfter?.Delta ?? DefaultPollInterval;
                response.Dispose();
                await Task.Delay(wait, time, context.CancellationToken);
                using var poll = new HttpRequestMessage(HttpMethod.Get, location.IsAbsoluteUri ? location : new Uri(request.RequestUri!, location));
                poll.Headers.TryAddWithoutValidation("Idempotency-Key", context.IdempotencyKey);
                response = await SendAsync(client, poll, context, writer);
            }

            await OutcomeAsync(response, context);
        }
        finally
        {
            response.Dispose();
        }
    }

    public Task CompensateAsync(StepContext context) => Task.CompletedTask;

    private static async Task<HttpResponseMessage> SendAsync(
        HttpClient client, HttpRequestMessage request, StepContext context, IStepLogWriter writer)
    {
        var clock = Stopwatch.StartNew();
        var target = context.Outputs.Mask($"{request.Method} {request.RequestUri}");
        try
        {
            var response = await client.SendAsync(request, HttpCompletionOption.ResponseContentRead, context.CancellationToken);
            writer.Write("http", $"{target} → {(int)response.StatusCode} {response.ReasonPhrase} in {clock.ElapsedMilliseconds} ms");
            return response;
        }
        catch (HttpRequestException e)
        {
            writer.Write("http", $"{target} → {e.Message}");
            throw new ProvisioningException(ErrorCatalogue.ServiceUnavailable, context.Outputs.Mask($"{target} could not be reached: {e.Message}"), e);
        }
    }

    private async Task OutcomeAsync(HttpResponseMessage response, StepContext context)
    {
        var status = (int)response.StatusCode;
        var text = await response.Content.ReadAsStringAsync(context.CancellationToken);
        if (status is >= 200 and < 300)
        {
            KeepOutputs(text, context);
            return;
        }

        // The address may carry an earlier step's secret output: the detail reaches admins and the timeline.
        var detail = context.Outputs.Mask($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} answered {status} {response.ReasonPhrase}");
        if (status is 408 or 429 or >= 500)
        {
            throw new ProvisioningException(ErrorCatalogue.ServiceUnavailable, $"{detail} (try again later).") { RetryAfter = RetryAfter(response) };
        }

        var (code, problem) = Problem(response, text);
        throw new ProvisioningException(code ?? ErrorCatalogue.Unknown, problem is null ? detail : $"{detail}: {context.Outputs.Mask(problem)}");
    }

    /// <summary>The response's top-level fields named in <c>outputs:</c>; one that is missing fails the step, permanently.</summary>
    private void KeepOutputs(string text, StepContext context)
    {
        if (action.Outputs.Count == 0)
        {
            return;
        }

        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(text);
            root = document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new ProvisioningException(ErrorCatalogue.Unknown, $"The response is not JSON, so outputs {string.Join(", ", action.Outputs)} cannot be read: {e.Message}");
        }

        foreach (var field in action.Outputs)
        {
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null)
            {
                throw new ProvisioningException(ErrorCatalogue.Unknown, $"The response has no field '{field}', named in the step's outputs.");
            }

            context.Outputs.Add(field, value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText(), secret: false);
        }
    }

    private static string TraceParent()
    {
        var activity = Activity.Current;
        var trace = activity?.TraceId ?? ActivityTraceId.CreateRandom();
        var span = activity?.SpanId ?? ActivitySpanId.CreateRandom();
        return $"00-{trace}-{span}-01";
    }

    private TimeSpan? RetryAfter(HttpResponseMessage response) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - time.GetUtcNow(),
        _ => null,
    };

    /// <summary>The <c>code</c> and <c>detail</c> of a problem+json body, when it is one.</summary>
    private static (string? Code, string? Detail) Problem(HttpResponseMessage response, string text)
    {
        if (response.Content.Headers.ContentType?.MediaType is not ("application/problem+json" or "application/json"))
        {
            return (null, null);
        }

        try
        {
            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            string? Field(string name) => root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            var code = Field("code");
            return (code is not null && ErrorCatalogue.IsKnown(code) ? code : null, Field("detail") ?? Field("title"));
        }
        catch (JsonException)
        {
            return (null, null);
        }
    }
}
