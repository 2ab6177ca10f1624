using Microsoft.AspNetCore.Components;
using MudBlazor;
using Provisioning.Core.Workspaces;

namespace Portal.Features.Workspaces;

/// <summary>A workspace's status as a chip, one colour per status.</summary>
public sealed partial class WorkspaceStatusChip
{
    [Parameter, EditorRequired]
    public WorkspaceStatus Status { get; set; }

    [Parameter]
    public Size Size { get; set; } = Size.Small;

    private string Text => WorkspaceText.Status(Status);

    internal static Color ColorFor(WorkspaceStatus status) => status switch
    {
        WorkspaceStatus.Provisioning => Color.Info,
        WorkspaceStatus.Ready => Color.Success,
        WorkspaceStatus.Error => Color.Error,
        WorkspaceStatus.Deprovisioning => Color.Warning,
        _ => Color.Default,
    };

    private Color ChipColor => ColorFor(Status);

    private string ChipIcon => Status switch
    {
        WorkspaceStatus.Provisioning => Icons.Material.Filled.Autorenew,
        WorkspaceStatus.Ready => Icons.Material.Filled.CheckCircle,
        WorkspaceStatus.Error => Icons.Material.Filled.ErrorOutline,
        WorkspaceStatus.Deprovisioning => Icons.Material.Filled.DeleteSweep,
        _ => Icons.Material.Filled.RemoveCircleOutline,
    };
}
