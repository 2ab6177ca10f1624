using MudBlazor;

namespace Portal.Components.Layout;

/// <summary>
/// The portal's one theme. The light palette's stylesheet is rendered once per page load in the document head
/// (<c>App.razor</c>, without a circuit); a circuit renders a theme provider only while it shows the dark palette,
/// whose stylesheet then overrides the light one. A theme provider in every circuit would keep its ~12 KB
/// stylesheet, and a theme object of some 130 colours, in server memory for as long as the page is open.
/// </summary>
public static class PortalTheme
{
    /// <summary>Never changed after start-up, so every page and circuit can share it.</summary>
    public static MudTheme Shared { get; } = new();
}
