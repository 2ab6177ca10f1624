using AngleSharp.Dom;
using Bunit;
using Microsoft.AspNetCore.Components;
using MudBlazor;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Portal.Components;

/// <summary>bUnit with MudBlazor: a context with its services, and the clicks its selects need.</summary>
internal static class MudBunit
{
    /// <summary>A context with MudBlazor's services and the popover provider its selects open into.</summary>
    /// <remarks>Services must be registered before the first render: do it in <paramref name="configure"/>.</remarks>
    public static (BunitContext Context, IRenderedComponent<MudPopoverProvider> Popovers) NewContext(Action<BunitContext>? configure = null)
    {
        var ctx = BunitPortal.Create();
        configure?.Invoke(ctx);
        return (ctx, ctx.Render<MudPopoverProvider>());
    }

    /// <summary>Opens the select whose input has <paramref name="inputId"/> and clicks the option showing <paramref name="option"/>.</summary>
    public static void Choose<T>(this IRenderedComponent<MudPopoverProvider> popovers, IRenderedComponent<T> cut, string inputId, string option)
        where T : IComponent
    {
        cut.Find($"#{inputId}").Closest(".mud-input-control")!.MouseDown();
        popovers.WaitForAssertion(() => popovers.FindAll(".mud-popover-open .mud-list-item").ShouldNotBeEmpty());
        var item = popovers.FindAll(".mud-popover-open .mud-list-item").FirstOrDefault(i => i.TextContent.Trim() == option)
            ?? throw new ShouldAssertException($"No option '{option}' in #{inputId}: {string.Join(", ", popovers.FindAll(".mud-popover-open .mud-list-item").Select(i => i.TextContent.Trim()))}");
        item.Click();
    }

    /// <summary>Types into a text or numeric field and leaves it, as a user does.</summary>
    public static void Enter<T>(this IRenderedComponent<T> cut, string inputId, string value)
        where T : IComponent
    {
        // Numeric fields take their value on change; text fields on input, committed on blur.
        if (cut.Find($"#{inputId}").HasAttribute("blazor:onchange"))
        {
            cut.Find($"#{inputId}").Change(value);
            return;
        }

        cut.Find($"#{inputId}").Input(value);
        cut.Find($"#{inputId}").Blur();
    }

    /// <summary>The error text MudBlazor shows under the input with <paramref name="inputId"/>, or null.</summary>
    public static string? ErrorUnder<T>(this IRenderedComponent<T> cut, string inputId)
        where T : IComponent
    {
        var control = cut.Find($"#{inputId}").Closest(".mud-input-control");
        return control?.QuerySelector(".mud-input-helper-text.mud-input-error")?.TextContent.Trim() is { Length: > 0 } text ? text : null;
    }

    public static IElement Button<T>(this IRenderedComponent<T> cut, string id)
        where T : IComponent => cut.Find($"#{id}");
}
