using System.Collections.Frozen;
using Provisioning.Core.Infrastructure;
using Provisioning.Core.Steps;
using Provisioning.Core.Steps.Commands;
using Provisioning.Core.Steps.Http;
using Provisioning.Core.Templates;

namespace Provisioning.Core.Engine;

/// <summary>
/// What runs each step of each loaded template: a built-in step under the template's name and policy for it, a
/// command step or an HTTP step. Built once, at start, from the <see cref="TemplateCatalog"/>.
/// </summary>
public sealed class StepCatalog
{
    private readonly FrozenDictionary<string, FrozenDictionary<string, IProvisioningStep>> _plans;

    public StepCatalog(
        IEnumerable<IProvisioningStep> builtIns, TemplateCatalog templates, CommandRunner commands, Func<TemplateStep, HttpAction, HttpStep> httpStep)
    {
        var byName = builtIns.ToFrozenDictionary(s => s.Name, StringComparer.Ordinal);
        _plans = templates.All.ToFrozenDictionary(
            t => t.Name,
            t => t.Steps.ToFrozenDictionary(s => s.Name, s => Step(t, s, byName, commands, httpStep), StringComparer.Ordinal),
            StringComparer.Ordinal);
    }

    /// <summary>The step <paramref name="step"/> of <paramref name="template"/>.</summary>
    public IProvisioningStep this[ProvisioningTemplate template, string step] => _plans[template.Name][step];

    /// <summary>
    /// What a template's steps run on, in step order: the adapters behind their ports (<c>simulator</c>, <c>vsphere</c>),
    /// <c>command</c> and <c>http</c>.
    /// </summary>
    public IReadOnlyList<string> Adapters(ProvisioningTemplate template) => template.Steps
        .SelectMany(s => s.Action switch
        {
            CommandAction => ["command"],
            HttpAction => ["http"],
            _ => this[template, s.Name].Infrastructure.Select(port => port.Adapter),
        })
        .Distinct(StringComparer.Ordinal)
        .ToList();

    private static IProvisioningStep Step(
        ProvisioningTemplate template, TemplateStep step, FrozenDictionary<string, IProvisioningStep> builtIns, CommandRunner commands,
        Func<TemplateStep, HttpAction, HttpStep> httpStep) => step.Action switch
    {
        BuiltInAction builtIn => new TemplateBuiltInStep(step, builtIns[builtIn.Step]),
        CommandAction command => new CommandStep(step, command, template.Folder!, commands),
        HttpAction http => httpStep(step, http),
        _ => throw new NotSupportedException($"Step {step.Name} of template {template.Name}: {step.Action.GetType().Name}."),
    };

    /// <summary>A built-in step as a template names it, with the template's policy for its resources.</summary>
    private sealed class TemplateBuiltInStep(TemplateStep definition, IProvisioningStep builtIn) : IProvisioningStep
    {
        public string Name => definition.Name;

        public ResourcePolicy OnFailure => definition.OnFailure;

        public IReadOnlyList<PlannedResource> Resources(StepContext context) => builtIn.Resources(context);

        public IReadOnlyList<IInfrastructurePort> Infrastructure => builtIn.Infrastructure;

        public Task ExecuteAsync(StepContext context) => builtIn.ExecuteAsync(context);

        public Task CompensateAsync(StepContext context) => builtIn.CompensateAsync(context);
    }
}
