using Microsoft.AspNetCore.Components;
using Provisioning.Core.Engine;

namespace Portal.Features.Platform;

/// <summary>Orphaned resources, each with its last cleanup error and a "Retry cleanup" that shows it is running.</summary>
public sealed partial class OrphanList
{
    [Parameter, EditorRequired]
    public IReadOnlyList<OrphanView> Orphans { get; set; } = [];

    /// <summary>Resources whose cleanup is running.</summary>
    [Parameter]
    public IReadOnlySet<Guid> Busy { get; set; } = new HashSet<Guid>();

    /// <summary>The error of a cleanup retried from this page that failed again, newer than the listed one.</summary>
    [Parameter]
    public IReadOnlyDictionary<Guid, string> Errors { get; set; } = new Dictionary<Guid, string>();

    [Parameter]
    public EventCallback<OrphanView> OnRetryCleanup { get; set; }
}
