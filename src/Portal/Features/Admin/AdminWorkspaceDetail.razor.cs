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

    private static string Outcome(AttemptView attempt) => attempt.Outcome switch
    {
        AttemptOutcome.Succeeded => "succeeded",
        AttemptOutcome.Failed => "failed",
        _ => "running",
    };
}
