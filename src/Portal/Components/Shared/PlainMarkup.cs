using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace Portal.Components.Shared;

/// <summary>
/// MudBlazor's looks as plain HTML, for the shell and the parts of a page that only show something. Each MudBlazor
/// component is a component, and a circuit keeps every component's render trees in server memory for as long as the
/// page is open (issue 18: at most 300 KB per idle circuit, docs/benchmarks.md §6). The markup is what those
/// components render, so the theme styles it the same way; what needs a component's behaviour stays one.
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

        return With(classes, extra);
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
        builder.AddAttribute(1, "class", With(classes, extra));
        builder.AddAttribute(2, "focusable", "false");
        builder.AddAttribute(3, "viewBox", "0 0 24 24");
        builder.AddAttribute(4, "aria-hidden", "true");
        builder.AddAttribute(5, "role", "img");
        builder.AddMarkupContent(6, svg);
        builder.CloseElement();
    };

    /// <summary>The classes <c>MudButton</c> puts on its button.</summary>
    public static string ButtonClasses(Variant variant, Color color, string? extra = null)
    {
        var kind = $"mud-button-{Name(variant)}";
        var classes = $"mud-button-root mud-button {kind} {kind}-{Name(color)} {kind}-size-medium";
        return With(classes, extra);
    }

    /// <summary>The icon before a button's label, as <c>MudButton</c>'s <c>StartIcon</c> renders it.</summary>
    public static RenderFragment ButtonIcon(string svg) => builder =>
    {
        builder.OpenElement(0, "span");
        builder.AddAttribute(1, "class", "mud-button-icon-start mud-button-icon-size-medium");
        builder.AddContent(2, Icon(svg, Color.Inherit));
        builder.CloseElement();
    };

    /// <summary>
    /// What <c>MudAlert</c> renders: the severity's icon and <paramref name="message"/>. <paramref name="id"/>,
    /// <paramref name="role"/> and <paramref name="testId"/> go on the alert's element when given.
    /// </summary>
    public static RenderFragment Alert(
        Severity severity, RenderFragment message, string? id = null, string? role = null, string? extra = null,
        bool outlined = false, bool dense = false, string? testId = null) => builder =>
    {
        var classes = $"mud-alert mud-alert-{(outlined ? "outlined" : "text")}-{Name(severity)}{(dense ? " mud-dense" : "")} mud-elevation-0";
        builder.OpenElement(0, "div");
        builder.AddAttribute(1, "id", id);
        builder.AddAttribute(2, "role", role);
        builder.AddAttribute(3, "data-testid", testId);
        builder.AddAttribute(4, "class", With(classes, extra));
        builder.OpenElement(5, "div");
        builder.AddAttribute(6, "class", "mud-alert-position justify-start");
        builder.OpenElement(7, "div");
        builder.AddAttribute(8, "class", "mud-alert-icon mud-alert-icon-left");
        builder.AddContent(9, Icon(AlertIcon(severity), Color.Inherit));
        builder.CloseElement();
        builder.OpenElement(10, "div");
        builder.AddAttribute(11, "class", "mud-alert-message");
        builder.AddContent(12, message);
        builder.CloseElement();
        builder.CloseElement();
        builder.CloseElement();
    };

    /// <summary>The classes and icon of a filled <c>MudChip</c>.</summary>
    public static RenderFragment Chip(string text, Color color, string svg, Size size = Size.Small, string? extra = null, string? status = null) => builder =>
    {
        var classes = $"mud-chip mud-chip-filled mud-chip-size-{Name(size)} mud-chip-color-{Name(color)}";
        builder.OpenElement(0, "div");
        builder.AddAttribute(1, "class", "mud-chip-container");
        builder.OpenElement(2, "div");
        builder.AddAttribute(3, "class", With(classes, extra));
        builder.AddAttribute(4, "data-status", status);
        builder.AddContent(5, Icon(svg, Color.Inherit, Size.Small, "mud-chip-icon"));
        builder.OpenElement(6, "span");
        builder.AddAttribute(7, "class", "mud-chip-content");
        builder.AddContent(8, text);
        builder.CloseElement();
        builder.CloseElement();
        builder.CloseElement();
    };

    /// <summary>A failure in a list: its few plain words, with the catalogue code on hover (issue 22, point 5).</summary>
    public static RenderFragment ErrorReason(string code, string? extra = null) => builder =>
    {
        builder.OpenElement(0, "span");
        builder.AddAttribute(1, "class", With("mud-typography mud-typography-caption mud-error-text error-reason", extra));
        builder.AddAttribute(2, "title", $"Error code: {code}");
        builder.AddAttribute(3, "data-error-code", code);
        builder.AddContent(4, Provisioning.Core.Errors.ErrorCatalogue.Get(code).ShortReason);
        builder.CloseElement();
    };

    // The icons MudAlert shows for each severity.
    private static string AlertIcon(Severity severity) => severity switch
    {
        Severity.Info => Icons.Material.Outlined.Info,
        Severity.Success => Icons.Custom.Uncategorized.AlertSuccess,
        Severity.Warning => Icons.Material.Outlined.ReportProblem,
        Severity.Error => Icons.Material.Filled.ErrorOutline,
        _ => Icons.Material.Outlined.EventNote,
    };

    private static string With(string classes, string? extra) => extra is null ? classes : $"{classes} {extra}";

    // MudBlazor's class names are the enum members' names in lowercase (body2, error, small).
    private static string Name<T>(T value) where T : struct, Enum => value.ToString().ToLowerInvariant();
}
