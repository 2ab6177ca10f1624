using Portal.Features.Notifications.Emails;
using Provisioning.Core.Notifications;

namespace Microsoft.Extensions.DependencyInjection;

public static class PortalNotificationsExtensions
{
    /// <summary>
    /// The email templates (Razor components) the outbox delivery renders. The outbox, its delivery job and the
    /// transport come with <c>AddProvisioning</c>.
    /// </summary>
    public static IHostApplicationBuilder AddPortalNotifications(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<IEmailRenderer, RazorEmailRenderer>();
        return builder;
    }
}
