using Provisioning.Core.Steps;

namespace Provisioning.Core.Templates;

/// <summary>
/// A plan a release provisions with: an ordered list of steps, read from a template file (DESIGN §11). The built-in
/// <c>app</c> and <c>vm</c> are template files too, shipped in the assembly.
/// </summary>
/// <param name="Name">Unique among the loaded templates; what a release names.</param>
/// <param name="Source">Where it was read from, for messages: a path, or <c>builtin:app.yaml</c>.</param>
/// <param name="Folder">The folder its command steps run in; null for the built-in ones, which have no commands.</param>
public sealed record ProvisioningTemplate(string Name, string? Description, string Source, string? Folder, IReadOnlyList<TemplateStep> Steps)
{
    public IEnumerable<string> StepNames => Steps.Select(s => s.Name);

    public TemplateStep? Step(string name) => Steps.FirstOrDefault(s => s.Name == name);

    /// <summary>Whether one of its steps is the built-in <paramref name="builtInStep"/>.</summary>
    public bool Uses(string builtInStep) => Steps.Any(s => s.Action is BuiltInAction b && b.Step == builtInStep);
}

/// <param name="Timeout">The step's own timeout per try; null: <c>Provisioning:StepTimeout</c>.</param>
public sealed record TemplateStep(string Name, ResourcePolicy OnFailure, TimeSpan? Timeout, StepAction Action);

/// <summary>What a template step does: a built-in step, a command, or an HTTP call.</summary>
public abstract record StepAction;

/// <summary><c>uses: builtin/&lt;step&gt;</c>.</summary>
public sealed record BuiltInAction(string Step) : StepAction;

/// <summary><c>run:</c> and <c>compensate:</c>, each run by <c>/bin/sh -c</c> in the template's folder.</summary>
public sealed record CommandAction(string Run, string? Compensate) : StepAction;

/// <summary><c>http:</c> a request sent with an <c>Idempotency-Key</c>; <paramref name="Outputs"/> are response JSON fields kept as outputs.</summary>
public sealed record HttpAction(string Method, string Url, IReadOnlyDictionary<string, string> Headers, string? Body, IReadOnlyList<string> Outputs) : StepAction;
