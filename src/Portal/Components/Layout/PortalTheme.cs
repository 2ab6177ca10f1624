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
    /// <remarks>
    /// MudBlazor's default status colours (green #00C853, orange #FF9800, red #F44336, blue #2196F3) are too light for
    /// text on white, and white text on them too faint: WCAG 2.1 AA wants 4.5:1 for normal text (issue 18, checked by
    /// axe-core in the browser tests). These are the same hues, dark enough in the light theme (4.6:1 or more, also
    /// on the tinted background of an alert) and light enough in the dark theme, where text on them turns dark.
    /// </remarks>
    public static MudTheme Shared { get; } = new()
    {
        PaletteLight = new PaletteLight
        {
            // Secondary text (times, hints) also sits on tinted rows: a little darker than MudBlazor's 54 %.
            TextSecondary = "rgba(0,0,0,0.64)",
            Secondary = "#C2185B",
            Tertiary = "#00796B",
            Info = "#01579B",
            Success = "#1B6E2E",
            Warning = "#8A4B00",
            Error = "#C62828",
        },
        PaletteDark = new PaletteDark
        {
            Primary = "#9E96F0",
            PrimaryContrastText = Ink,
            Secondary = "#F48FB1",
            SecondaryContrastText = Ink,
            Tertiary = "#80CBC4",
            TertiaryContrastText = Ink,
            Info = "#64B5F6",
            InfoContrastText = Ink,
            Success = "#66BB6A",
            SuccessContrastText = Ink,
            Warning = "#FFB74D",
            WarningContrastText = Ink,
            Error = "#EF9A9A",
            ErrorContrastText = Ink,
            TextSecondary = "rgba(255,255,255,0.70)",
            DrawerText = "rgba(255,255,255,0.80)",
            DrawerIcon = "rgba(255,255,255,0.80)",
        },
    };

    // Dark text on the light status colours of the dark theme.
    private const string Ink = "#1B1B24";
}
