using Microsoft.AspNetCore.Components;

namespace Portal.Components.Shared;

/// <summary>Shown instead of a page whose policy the user does not meet (see <see cref="PageAccess"/>).</summary>
public sealed partial class AccessDenied
{
    /// <summary>Who the page is for, e.g. "tenant admins".</summary>
    [Parameter, EditorRequired]
    public string Audience { get; set; } = "";
}
