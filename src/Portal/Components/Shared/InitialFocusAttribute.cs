namespace Portal.Components.Shared;

/// <summary>
/// Where the focus goes when the page is navigated to (Routes' <c>FocusOnNavigate</c>): the page's heading, unless the
/// page names the field people start typing in, as the sign-in page does. A page's own <c>autofocus</c> is overridden.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class InitialFocusAttribute(string selector) : Attribute
{
    public string Selector { get; } = selector;

    public static string For(Type page) =>
        page.GetCustomAttributes(typeof(InitialFocusAttribute), inherit: false) is [InitialFocusAttribute focus] ? focus.Selector : "h1";
}
