using Provisioning.Core.Templates;

namespace Provisioning.Core.Steps.Commands;

/// <summary>
/// A template step with <c>run:</c> (and <c>compensate:</c>): each is a command run by <c>/bin/sh -c</c> in the
/// template's folder (<see cref="CommandRunner"/>). Without <c>compensate:</c> there is nothing to undo.
/// </summary>
public sealed class CommandStep(TemplateStep definition, CommandAction action, string folder, CommandRunner runner) : IProvisioningStep
{
    public string Name => definition.Name;

    public ResourcePolicy OnFailure => definition.OnFailure;

    public Task ExecuteAsync(StepContext context) => runner.RunAsync(action.Run, folder, context, CommandRunner.Execute);

    public Task CompensateAsync(StepContext context) =>
        action.Compensate is { } compensate ? runner.RunAsync(compensate, folder, context, CommandRunner.Compensate) : Task.CompletedTask;
}
