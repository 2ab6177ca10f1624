using System.Collections.Frozen;
using System.Text.Json;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Provisioning.Core.Notifications;

namespace Portal.Features.Notifications.Emails;

/// <summary>
/// Renders outbox emails from their Razor components with the framework's <see cref="HtmlRenderer"/>; the
/// plain-text part is derived from the same HTML.
/// </summary>
internal sealed class RazorEmailRenderer(IServiceScopeFactory scopes, ILoggerFactory loggerFactory) : IEmailRenderer
{
    private static readonly FrozenDictionary<string, Type> Components = new Dictionary<string, Type>
    {
        [EmailTemplates.RequesterFailure] = typeof(RequesterFailureEmail),
        [EmailTemplates.TenantAdminFailure] = typeof(TenantAdminFailureEmail),
        [EmailTemplates.WorkspaceReady] = typeof(WorkspaceReadyEmail),
        [EmailTemplates.Invitation] = typeof(InvitationEmail),
    }.ToFrozenDictionary(StringComparer.Ordinal);

    public async Task<RenderedEmail> RenderAsync(string template, string modelJson, CancellationToken cancellationToken)
    {
        if (!Components.TryGetValue(template, out var component))
        {
            throw new ArgumentException($"There is no email template '{template}'.", nameof(template));
        }

        var model = JsonSerializer.Deserialize(modelJson, EmailTemplates.ModelType(template), EmailTemplates.ModelJson)
            ?? throw new ArgumentException($"The model of a '{template}' email is empty.", nameof(modelJson));
        // Components' services are scoped, as in a request; and a renderer keeps every component it rendered
        // until it is disposed: one scope and one renderer per email.
        await using var scope = scopes.CreateAsyncScope();
        await using var renderer = new HtmlRenderer(scope.ServiceProvider, loggerFactory);
        var html = await renderer.Dispatcher.InvokeAsync(async () =>
        {
            var root = await renderer.RenderComponentAsync(component, ParameterView.FromDictionary(new Dictionary<string, object?> { ["Model"] = model }));
            return root.ToHtmlString();
        });
        return new RenderedEmail(html, HtmlToText.Convert(html));
    }
}
