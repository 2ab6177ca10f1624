using Microsoft.AspNetCore.Http.HttpResults;
using Portal.Features.Identity;
using Provisioning.Core.Engine;
using Provisioning.Core.Steps;
using Provisioning.Core.Templates;

namespace Portal.Features.Templates;

/// <summary>One step of a loaded template, as <c>GET /api/v1/platform/templates</c> shows it (no header values: they may name secrets).</summary>
public sealed record TemplateStepView(
    string Name, string Kind, string OnFailure, int? TimeoutSeconds, string? Uses, string? Run, string? Compensate, string? Method, string? Url,
    IReadOnlyList<string>? Outputs)
{
    public static TemplateStepView From(TemplateStep step)
    {
        var onFailure = step.OnFailure == ResourcePolicy.Retain ? "retain" : "release";
        var timeout = step.Timeout is { } t ? (int)Math.Ceiling(t.TotalSeconds) : (int?)null;
        return step.Action switch
        {
            BuiltInAction b => new(step.Name, "builtin", onFailure, timeout, $"builtin/{b.Step}", null, null, null, null, null),
            CommandAction c => new(step.Name, "command", onFailure, timeout, null, c.Run, c.Compensate, null, null, null),
            HttpAction h => new(step.Name, "http", onFailure, timeout, null, null, null, h.Method, h.Url, h.Outputs),
            _ => throw new NotSupportedException(step.Action.GetType().Name),
        };
    }
}

/// <summary>A loaded template: where it was read from, what its steps run on (<c>simulator</c>, <c>vsphere</c>, <c>command</c>, <c>http</c>) and its steps in order.</summary>
public sealed record TemplateView(string Name, string? Description, string Source, IReadOnlyList<string> Adapters, IReadOnlyList<TemplateStepView> Steps)
{
    public static TemplateView From(ProvisioningTemplate template, StepCatalog steps) =>
        new(template.Name, template.Description, template.Source, steps.Adapters(template), template.Steps.Select(TemplateStepView.From).ToList());
}

/// <summary>The templates this portal loaded at start (DESIGN §11), for platform admins.</summary>
public static class TemplatesApi
{
    public static IEndpointRouteBuilder MapTemplatesApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/v1/platform/templates")
            .WithTags("Platform")
            .RequireAuthorization(PortalPolicies.PlatformAdmin)
            .MapGet("/", List);
        return app;
    }

    public static Ok<List<TemplateView>> List(TemplateCatalog templates, StepCatalog steps) =>
        TypedResults.Ok(templates.All.Select(t => TemplateView.From(t, steps)).ToList());
}
