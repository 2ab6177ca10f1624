using Microsoft.AspNetCore.Components;
using MudBlazor;
using Provisioning.Core.Workspaces;

namespace Portal.Features.Workspaces;

/// <summary>What happened to a workspace, oldest first, one sentence each; failures in red (see <see cref="TimelineEntry.Build"/>).</summary>
public sealed partial class WorkspaceTimeline
{
    private IReadOnlyList<TimelineEntry> _entries = [];
    private IReadOnlyList<EventView>? _source;

    [Parameter, EditorRequired]
    public IReadOnlyList<EventView> Events { get; set; } = [];

    private IReadOnlyList<TimelineEntry> Entries => _entries;

    protected override void OnParametersSet()
    {
        if (!ReferenceEquals(_source, Events))
        {
            _source = Events;
            _entries = TimelineEntry.Build(Events);
        }
    }

    private static string ToneName(TimelineTone tone) => tone.ToString().ToLowerInvariant();

    private static string IconFor(TimelineTone tone) => tone switch
    {
        TimelineTone.Failure => Icons.Material.Filled.Error,
        TimelineTone.Warning => Icons.Material.Filled.Replay,
        TimelineTone.Success => Icons.Material.Filled.CheckCircle,
        TimelineTone.Cleanup => Icons.Material.Filled.CleaningServices,
        _ => Icons.Material.Filled.Circle,
    };

    private static Color ColorFor(TimelineTone tone) => tone switch
    {
        TimelineTone.Failure => Color.Error,
        TimelineTone.Warning => Color.Warning,
        TimelineTone.Success => Color.Success,
        TimelineTone.Cleanup => Color.Secondary,
        _ => Color.Info,
    };
}
