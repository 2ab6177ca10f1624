using Microsoft.AspNetCore.Components;
using MudBlazor;
using Provisioning.Core.Workspaces;

namespace Portal.Features.Workspaces;

/// <summary>What the steps created in the infrastructure, and what became of each.</summary>
public sealed partial class WorkspaceResourceList
{
    [Parameter, EditorRequired]
    public IReadOnlyList<ResourceView> Resources { get; set; } = [];

    private static string StateName(ResourceState state) => state.ToString().ToLowerInvariant();

    /// <summary>The <c>mud-chip-color-*</c> name MudChip would use for the state.</summary>
    private static string ColorName(ResourceState state) => ColorFor(state).ToString().ToLowerInvariant();

    private static Color ColorFor(ResourceState state) => state switch
    {
        ResourceState.Active => Color.Success,
        ResourceState.Retained => Color.Info,
        ResourceState.Orphaned => Color.Error,
        _ => Color.Default,
    };
}
