using Microsoft.Extensions.Logging;
using Quartz;

namespace Provisioning.Core.Notifications;

/// <summary>
/// The Quartz job that runs <see cref="OutboxDelivery"/> every <c>Mail:Delivery:PollInterval</c>. No message is
/// sent by two runs whatever runs when (each claims its batch in the database); one run at a time saves the work.
/// </summary>
[DisallowConcurrentExecution]
public sealed partial class DeliverOutboxJob(OutboxDelivery delivery, ILogger<DeliverOutboxJob> logger) : IJob
{
    public static readonly JobKey Key = new("deliver-outbox", "notifications");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        try
        {
            await delivery.DeliverDueAsync(cancellationToken);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            // The database itself failed; every message keeps its state and the next run tries again.
            LogRunFailed(e);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Delivering the email outbox failed; the next run tries again")]
    private partial void LogRunFailed(Exception exception);
}
