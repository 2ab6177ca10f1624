namespace Provisioning.Core.Notifications;

/// <summary>An email's body in both forms a mail client may show.</summary>
public sealed record RenderedEmail(string Html, string Text);

/// <summary>
/// Turns an outbox message's template and model into its body. Implemented by the web project with Razor
/// components, so Provisioning.Core knows nothing of Blazor.
/// </summary>
public interface IEmailRenderer
{
    /// <param name="template">One of <see cref="EmailTemplates"/>.</param>
    /// <param name="modelJson">The model, serialized with <see cref="EmailTemplates.ModelJson"/>.</param>
    Task<RenderedEmail> RenderAsync(string template, string modelJson, CancellationToken cancellationToken);
}
