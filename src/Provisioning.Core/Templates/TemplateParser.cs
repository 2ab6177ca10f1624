using System.Globalization;
using System.Text.RegularExpressions;
using Provisioning.Core.Steps;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Provisioning.Core.Templates;

/// <summary>
/// Reads one template file. Every rule it breaks is reported as <c>file:line: what is wrong</c>, like
/// <c>nginx -t</c>, and the file yields no template; the caller stops the start with all of them.
/// </summary>
/// <param name="builtIns">The built-in steps a template may use, with the policy each has by default.</param>
/// <param name="secretIsSet">Whether <c>Provisioning:Secrets:NAME</c> is configured, for <c>${secret:NAME}</c>.</param>
internal sealed partial class TemplateParser(
    string source, string? folder, IReadOnlyDictionary<string, ResourcePolicy> builtIns, Func<string, bool> secretIsSet, List<string> problems)
{
    private static readonly string[] TemplateKeys = ["name", "description", "steps"];
    private static readonly string[] StepKeys = ["name", "on_failure", "timeout", "run", "compensate", "http", "uses"];
    private static readonly string[] HttpKeys = ["method", "url", "headers", "body", "outputs"];
    private static readonly string[] HttpMethods = ["GET", "POST", "PUT", "PATCH", "DELETE"];
    private static readonly TimeSpan LongestTimeout = TimeSpan.FromDays(1);

    /// <summary>The line of the template's name, once parsed: where a clash with another template is reported.</summary>
    public long NameLine { get; private set; } = 1;

    public ProvisioningTemplate? Parse(string yaml)
    {
        var before = problems.Count;
        YamlMappingNode? root;
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(yaml));
            root = stream.Documents.Count == 1 ? stream.Documents[0].RootNode as YamlMappingNode : null;
            if (root is null)
            {
                Problem(1, "a template is one YAML document, a mapping with name and steps");
                return null;
            }
        }
        catch (YamlException e)
        {
            Problem(e.Start.Line, $"not valid YAML: {e.InnerException?.Message ?? e.Message}");
            return null;
        }

        OnlyKeys(root, TemplateKeys, "a template");
        var name = Text(root, "name", required: true);
        NameLine = name?.Line ?? 1;
        if (name is not null && !TemplateName().IsMatch(name.Value))
        {
            Problem(name, $"template name '{name.Value}' must match ^[a-z0-9][a-z0-9-]*$ and be at most 64 characters");
        }

        var description = Text(root, "description", required: false)?.Value;
        var steps = new List<TemplateStep>();
        if (Child(root, "steps") is not { } stepsNode)
        {
            Problem(root, "steps is required: the ordered list of the template's steps");
        }
        else if (stepsNode is not YamlSequenceNode sequence || sequence.Children.Count == 0)
        {
            Problem(stepsNode, "steps must be a list of at least one step");
        }
        else
        {
            foreach (var item in sequence.Children)
            {
                if (Step(item, steps) is { } step)
                {
                    steps.Add(step);
                }
            }
        }

        return problems.Count == before ? new ProvisioningTemplate(name!.Value, description, source, folder, steps) : null;
    }

    private TemplateStep? Step(YamlNode item, List<TemplateStep> earlier)
    {
        if (item is not YamlMappingNode step)
        {
            Problem(item, "each step must be a mapping with at least name and one of run, http or uses");
            return null;
        }

        var before = problems.Count;
        OnlyKeys(step, StepKeys, "a step");
        var name = Text(step, "name", required: true);
        if (name is not null && !StepName().IsMatch(name.Value))
        {
            Problem(name, $"step name '{name.Value}' must match ^[a-z0-9_]+$ and be at most 64 characters");
        }
        else if (name is not null && earlier.Any(s => s.Name == name.Value))
        {
            Problem(name, $"step name '{name.Value}' is used twice in this template");
        }

        var run = Text(step, "run", required: false);
        var compensate = Text(step, "compensate", required: false);
        var uses = Text(step, "uses", required: false);
        var http = Child(step, "http");
        var kinds = new[] { run is not null, http is not null, uses is not null }.Count(k => k);
        if (kinds != 1)
        {
            Problem(step, kinds == 0
                ? $"step '{name?.Value}' must say what it does: run, http or uses"
                : $"step '{name?.Value}' has more than one of run, http and uses; give it exactly one");
        }

        if (compensate is not null && run is null)
        {
            Problem(compensate, "compensate goes with run: it undoes what the step's command did");
        }

        StepAction? action = null;
        ResourcePolicy? defaultPolicy = ResourcePolicy.Release;
        if (run is not null)
        {
            action = new CommandAction(run.Value, compensate?.Value);
        }
        else if (uses is not null)
        {
            var builtIn = uses.Value.StartsWith("builtin/", StringComparison.Ordinal) ? uses.Value["builtin/".Length..] : null;
            if (builtIn is null || !builtIns.TryGetValue(builtIn, out var policy))
            {
                Problem(uses, $"uses '{uses.Value}' is not a built-in step; one of: {string.Join(", ", builtIns.Keys.Order().Select(k => $"builtin/{k}"))}");
            }
            else
            {
                action = new BuiltInAction(builtIn);
                defaultPolicy = policy;
            }
        }
        else if (http is not null)
        {
            action = Http(http);
        }

        var onFailure = defaultPolicy;
        if (Text(step, "on_failure", required: false) is { } policyNode)
        {
            onFailure = policyNode.Value switch
            {
                "release" => ResourcePolicy.Release,
                "retain" => ResourcePolicy.Retain,
                _ => null,
            };
            if (onFailure is null)
            {
                Problem(policyNode, $"on_failure '{policyNode.Value}' must be release or retain");
            }
        }

        TimeSpan? timeout = null;
        if (Text(step, "timeout", required: false) is { } timeoutNode)
        {
            if (TimeSpan.TryParseExact(timeoutNode.Value, "c", CultureInfo.InvariantCulture, out var parsed) && parsed > TimeSpan.Zero && parsed <= LongestTimeout)
            {
                timeout = parsed;
            }
            else
            {
                Problem(timeoutNode, $"timeout '{timeoutNode.Value}' must be a duration like 00:02:00, more than zero and at most 1.00:00:00");
            }
        }

        return problems.Count == before ? new TemplateStep(name!.Value, onFailure!.Value, timeout, action!) : null;
    }

    private HttpAction? Http(YamlNode node)
    {
        if (node is not YamlMappingNode http)
        {
            Problem(node, "http must be a mapping with method and url");
            return null;
        }

        var before = problems.Count;
        OnlyKeys(http, HttpKeys, "http");
        var method = Text(http, "method", required: true);
        if (method is not null && !HttpMethods.Contains(method.Value))
        {
            Problem(method, $"http method '{method.Value}' must be one of {string.Join(", ", HttpMethods)}");
        }

        var url = Text(http, "url", required: true);
        if (url is not null)
        {
            Placeholders(url, secretsAllowed: false);
            // Placeholders stand for text; what is around them must make an absolute http(s) address.
            var shape = Placeholder().Replace(url.Value, "x");
            if (!Uri.TryCreate(shape, UriKind.Absolute, out var address) || address.Scheme is not ("http" or "https"))
            {
                Problem(url, $"http url '{url.Value}' must be an absolute http or https address");
            }
        }

        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (Child(http, "headers") is { } headersNode)
        {
            if (headersNode is not YamlMappingNode mapping)
            {
                Problem(headersNode, "http headers must be a mapping of header names to values");
            }
            else
            {
                foreach (var (key, value) in mapping.Children)
                {
                    if (key is not YamlScalarNode { Value: { Length: > 0 } header } || value is not YamlScalarNode { Value: { } text })
                    {
                        Problem(key, "each http header is a name and a text value");
                        continue;
                    }

                    Placeholders(new Scalar(text, value.Start.Line), secretsAllowed: true);
                    headers[header] = text;
                }
            }
        }

        var body = Text(http, "body", required: false);
        if (body is not null)
        {
            Placeholders(body, secretsAllowed: false);
        }

        var outputs = new List<string>();
        if (Child(http, "outputs") is { } outputsNode)
        {
            if (outputsNode is not YamlSequenceNode list)
            {
                Problem(outputsNode, "http outputs must be a list of response field names");
            }
            else
            {
                foreach (var output in list.Children)
                {
                    if (output is YamlScalarNode { Value: { } field } && OutputKey().IsMatch(field))
                    {
                        outputs.Add(field);
                    }
                    else
                    {
                        Problem(output, "each http output is a top-level response field name (letters, digits, _ and -)");
                    }
                }
            }
        }

        return problems.Count == before
            ? new HttpAction(method!.Value, url!.Value, headers, body?.Value, outputs)
            : null;
    }

    /// <summary><c>${PORTAL_…}</c> must name a variable a step gets; <c>${secret:NAME}</c> a configured secret, and only in headers.</summary>
    private void Placeholders(Scalar node, bool secretsAllowed)
    {
        foreach (Match match in Placeholder().Matches(node.Value))
        {
            var name = match.Groups["name"].Value;
            if (name.StartsWith("secret:", StringComparison.Ordinal))
            {
                var secret = name["secret:".Length..];
                if (!secretsAllowed)
                {
                    Problem(node, $"{match.Value}: secrets go in http headers only");
                }
                else if (!secretIsSet(secret))
                {
                    Problem(node, $"{match.Value}: Provisioning:Secrets:{secret} is not set");
                }
            }
            else if (!StepEnvironment.IsPlaceholder(name))
            {
                Problem(node, $"{match.Value} is not a variable a step gets; use one of {string.Join(", ", StepEnvironment.PlaceholderNames)} or PORTAL_OUT_<KEY>");
            }
        }
    }

    private void OnlyKeys(YamlMappingNode node, string[] allowed, string what)
    {
        foreach (var key in node.Children.Keys)
        {
            if (key is not YamlScalarNode { Value: { } name } || !allowed.Contains(name))
            {
                Problem(key, $"unknown key '{(key as YamlScalarNode)?.Value}' in {what}; allowed: {string.Join(", ", allowed)}");
            }
        }
    }

    private static YamlNode? Child(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var child) ? child : null;

    private Scalar? Text(YamlMappingNode node, string key, bool required)
    {
        var child = Child(node, key);
        if (child is null)
        {
            if (required)
            {
                Problem(node, $"{key} is required");
            }

            return null;
        }

        if (child is not YamlScalarNode { Value: { Length: > 0 } value })
        {
            Problem(child, $"{key} must be a text value");
            return null;
        }

        return new Scalar(value, child.Start.Line);
    }

    private void Problem(YamlNode node, string message) => Problem(node.Start.Line, message);

    private void Problem(Scalar scalar, string message) => Problem(scalar.Line, message);

    private void Problem(long line, string message) => problems.Add($"{source}:{line}: {message}");

    /// <summary>A text value and the line it is on.</summary>
    private sealed record Scalar(string Value, long Line);

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,63}$")]
    private static partial Regex TemplateName();

    [GeneratedRegex("^[a-z0-9_]{1,64}$")]
    private static partial Regex StepName();

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex OutputKey();

    [GeneratedRegex(@"\$\{(?<name>[^}]*)\}")]
    internal static partial Regex Placeholder();
}
