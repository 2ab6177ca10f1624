using Microsoft.AspNetCore.Components;
using Provisioning.Core.Workspaces;

namespace Portal.Features.Admin;

/// <summary>
/// What a tenant admin needs to understand a failure: the technical detail (exception text), the correlation id
/// to search the logs with, every attempt, and each step's retry history with its error details.
/// </summary>
public sealed partial class AdminWorkspaceDetail
{
    [Parameter, EditorRequired]
    public AdminWorkspaceView Workspace { get; set; } = default!;

    private static string Outcome(AttemptView attempt) => attempt.Phase switch
    {
        AttemptPhase.Succeeded => "succeeded",
        AttemptPhase.Failed => "failed",
        AttemptPhase.Compensating => "failed, cleaning up",
        _ => "running",
    };
}
