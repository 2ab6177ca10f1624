using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace Portal.Components.Shared;

/// <summary>
/// MudBlazor's text and icon styles as plain HTML, for the parts of a page repeated per step or event.
/// Each <c>MudText</c> or <c>MudIcon</c> is a component, and a circuit keeps every component's render trees in
/// server memory for as long as the page is open: the workspace page had ~150 of them (issue 4 asks for under
/// 500 KB per circuit). The markup is what those components render, so the theme styles it the same way.
/// </summary>
public static class PlainMarkup
{
    /// <summary>The classes <c>MudText</c> puts on its element.</summary>
    public static string Classes(Typo typo, Color color = Color.Default, string? extra = null, bool gutterBottom = false)
    {
        var classes = $"mud-typography mud-typography-{Name(typo)}";
        if (color is not (Color.Default or Color.Inherit))
        {
            classes += $" mud-{Name(color)}-text";
        }

        if (gutterBottom)
        {
            classes += " mud-typography-gutterbottom";
        }

        return extra is null ? classes : $"{classes} {extra}";
    }

    /// <summary>The SVG <c>MudIcon</c> renders, decorative (hidden from assistive technology) like ours all are.</summary>
    public static RenderFragment Icon(string svg, Color color = Color.Default, Size size = Size.Medium, string? extra = null) => builder =>
    {
        var classes = color switch
        {
            Color.Default => "mud-icon-root mud-icon-default mud-svg-icon",
            Color.Inherit => "mud-icon-root mud-svg-icon",
            _ => $"mud-icon-root mud-svg-icon mud-{Name(color)}-text",
        };
        classes += $" mud-icon-size-{Name(size)}";
        builder.OpenElement(0, "svg");
        builder.AddAttribute(1, "class", extra is null ? classes : $"{classes} {extra}");
        builder.AddAttribute(2, "focusable", "false");
        builder.AddAttribute(3, "viewBox", "0 0 24 24");
        builder.AddAttribute(4, "aria-hidden", "true");
        builder.AddAttribute(5, "role", "img");
        builder.AddMarkupContent(6, svg);
        builder.CloseElement();
    };

    // MudBlazor's class names are the enum members' names in lowercase (body2, error, small).
    private static string Name<T>(T value) where T : struct, Enum => value.ToString().ToLowerInvariant();
}
