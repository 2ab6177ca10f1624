using Microsoft.AspNetCore.Components;
using MudBlazor;
using Portal.Components.Shared;
using Provisioning.Core.Workspaces;

namespace Portal.Features.Admin;

/// <summary>A workspace's or a step's status as a coloured chip; give one of the two.</summary>
public sealed partial class AdminStatusChip
{
    [Parameter]
    public WorkspaceStatus? Status { get; set; }

    [Parameter]
    public StepStatus? StepStatus { get; set; }

    private string Text => Status is { } s ? DisplayFormat.Lower(s) : StepStatus is { } step ? DisplayFormat.Lower(step) : "";

    private Color Color => (Status, StepStatus) switch
    {
        (WorkspaceStatus.Ready, _) or (_, Provisioning.Core.Workspaces.StepStatus.Success) => Color.Success,
        (WorkspaceStatus.Error, _) or (_, Provisioning.Core.Workspaces.StepStatus.Failed) => Color.Error,
        (WorkspaceStatus.Provisioning, _) or (_, Provisioning.Core.Workspaces.StepStatus.Running) => Color.Info,
        (WorkspaceStatus.Deprovisioning, _) => Color.Warning,
        _ => Color.Default,
    };
}
