using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Options;
using Provisioning.Core.Notifications;
using Quartz;

namespace Microsoft.Extensions.DependencyInjection;

internal static class NotificationServiceCollectionExtensions
{
    /// <summary>
    /// In-app notifications and the email outbox: the interceptor that writes them with the events that cause
    /// them, the transport (SMTP, or the pickup folder when no host is set) and the delivery. Rendering is the
    /// host's to add (<see cref="IEmailRenderer"/>).
    /// </summary>
    public static IServiceCollection AddNotifications(this IServiceCollection services)
    {
        services.AddOptions<MailOptions>().BindConfiguration(MailOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<PortalLinkOptions>().BindConfiguration(PortalLinkOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<NotificationInbox>();
        services.AddSingleton<ISaveChangesInterceptor, WriteWorkspaceNotifications>();
        services.AddSingleton<IMailTransport>(sp => sp.GetRequiredService<IOptions<MailOptions>>().Value.UsesSmtp
            ? ActivatorUtilities.CreateInstance<SmtpMailTransport>(sp)
            : ActivatorUtilities.CreateInstance<PickupDirectoryMailTransport>(sp));
        services.AddSingleton<OutboxDelivery>();
        services.AddSingleton<OutboxAdmin>();
        return services;
    }

    /// <summary>Runs <see cref="DeliverOutboxJob"/> every <c>Mail:Delivery:PollInterval</c> on the portal's scheduler.</summary>
    public static IQuartzBuilder AddOutboxDelivery(this IQuartzBuilder quartz) =>
        quartz.ScheduleJob<DeliverOutboxJob>(
            (sp, trigger) => trigger
                .WithIdentity(DeliverOutboxJob.Key.Name, DeliverOutboxJob.Key.Group)
                .StartNow()
                .WithSimpleSchedule(schedule => schedule
                    .WithInterval(sp.GetRequiredService<IOptions<MailOptions>>().Value.Delivery.PollInterval)
                    .RepeatForever()
                    // A fixed delay after each run: a long run (an SMTP outage) is not followed by a burst of catch-up runs.
                    .MeasureIntervalFromCompletion(true)
                    .WithMisfireInstruction(SimpleTriggerMisfireInstruction.NextWithRemainingCount)),
            (_, job) => job.WithIdentity(DeliverOutboxJob.Key).StoreDurably());
}
