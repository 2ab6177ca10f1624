using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Provisioning.Core.Errors;
using Provisioning.Core.Identity;
using Provisioning.Core.Persistence;
using Provisioning.Core.Workspaces;

namespace Provisioning.Core.Notifications;

/// <summary>Which workspace events notify people (DESIGN §8), and the kinds of in-app notification they make.</summary>
public static class WorkspaceNotifications
{
    public const string ProvisioningFailedKind = "provisioning_failed";
    public const string WorkspaceReadyKind = "workspace_ready";

    /// <summary>
    /// Whether a committed event of this type may have brought in-app notifications with it: the bell refreshes
    /// its count on these (through <see cref="IWorkspaceUpdates"/>) rather than on every change.
    /// </summary>
    public static bool MayNotify(string eventType) =>
        eventType is WorkspaceEventTypes.Failed or WorkspaceEventTypes.Succeeded;
}

/// <summary>
/// The write side of the transactional outbox. When a save adds <c>provisioning.failed</c>, or the
/// <c>provisioning.succeeded</c> of a retry, this adds the in-app notifications and the outbox emails to the
/// same save: they commit together with the event, or not at all.
/// </summary>
/// <remarks>
/// Recipients are the requester and every tenant admin of the workspace's own tenant, looked up in the same
/// transaction; a user with email turned off gets the in-app notification only.
/// </remarks>
internal sealed partial class WriteWorkspaceNotifications(IOptions<PortalLinkOptions> links, ILogger<WriteWorkspaceNotifications> logger)
    : SaveChangesInterceptor
{
    private static readonly object Handled = new();
    private static readonly string[] HistoryTypes =
    [
        WorkspaceEventTypes.StepStarted, WorkspaceEventTypes.StepRetryScheduled, WorkspaceEventTypes.StepSucceeded,
        WorkspaceEventTypes.StepFailed, WorkspaceEventTypes.ResourceReleased, WorkspaceEventTypes.ResourceRetained,
        WorkspaceEventTypes.CompensationFailed,
    ];

    // A save that fails and is tried again on the same context keeps what was added the first time: notify once.
    private readonly ConditionalWeakTable<WorkspaceEvent, object> _handled = new();

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        // Recipients are read from the database; the synchronous path would have to block on that.
        if (eventData.Context is { } context && Unhandled(context).Any())
        {
            throw new InvalidOperationException("Workspace events that notify people must be saved with SaveChangesAsync.");
        }

        return result;
    }

    public override async ValueTask<InterceptionResult<int>> SavingChangesAsync(
        DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is ProvisioningDbContext db)
        {
            foreach (var workspaceEvent in Unhandled(db).ToList())
            {
                await WriteAsync(db, workspaceEvent, cancellationToken);
                _handled.AddOrUpdate(workspaceEvent, Handled);
            }
        }

        return result;
    }

    private IEnumerable<WorkspaceEvent> Unhandled(DbContext context) =>
        context.ChangeTracker.Entries<WorkspaceEvent>()
            .Where(e => e.State == EntityState.Added && WorkspaceNotifications.MayNotify(e.Entity.Type) && !_handled.TryGetValue(e.Entity, out _))
            .Select(e => e.Entity);

    private async Task WriteAsync(ProvisioningDbContext db, WorkspaceEvent workspaceEvent, CancellationToken cancellationToken)
    {
        var workspace = db.ChangeTracker.Entries<Workspace>().Select(e => e.Entity).FirstOrDefault(w => w.Id == workspaceEvent.WorkspaceId)
            ?? await db.Workspaces.IgnoreQueryFilters().AsNoTracking().FirstOrDefaultAsync(w => w.Id == workspaceEvent.WorkspaceId, cancellationToken);
        if (workspace is null || workspace.TenantId != workspaceEvent.TenantId)
        {
            return;
        }

        using var payload = JsonDocument.Parse(workspaceEvent.Payload);
        var root = payload.RootElement;
        if (workspaceEvent.Type == WorkspaceEventTypes.Failed)
        {
            await WriteFailureAsync(db, workspace, workspaceEvent, root, cancellationToken);
        }
        else if (workspaceEvent.Type == WorkspaceEventTypes.Succeeded && String(root, "trigger") == "retry")
        {
            await WriteReadyAsync(db, workspace, workspaceEvent, root, cancellationToken);
        }
    }

    private async Task WriteFailureAsync(ProvisioningDbContext db, Workspace workspace, WorkspaceEvent failed, JsonElement payload, CancellationToken cancellationToken)
    {
        var recipients = await RecipientsAsync(db, workspace, includeTenantAdmins: true, cancellationToken);
        if (recipients.Count == 0)
        {
            return;
        }

        var code = String(payload, "error_code") ?? workspace.ErrorCode ?? ErrorCatalogue.Unknown;
        var entry = ErrorCatalogue.Get(code);
        var userMessage = String(payload, "error_message") ?? entry.UserMessage;
        var step = String(payload, "step") ?? "";
        var attempt = Int(payload, "attempt");
        var at = failed.OccurredAt;
        var link = links.Value;

        var forRequester = new RequesterFailureModel(workspace.Id, workspace.Name, userMessage, entry.SuggestedAction, link.WorkspaceUrl(workspace.Id));
        TenantAdminFailureModel? forAdmins = null;
        if (recipients.Any(r => r.IsTenantAdmin))
        {
            forAdmins = new TenantAdminFailureModel(
                workspace.Id, workspace.Name, workspace.ReleaseId, workspace.RequestedBy, code, userMessage, entry.SuggestedAction,
                String(payload, "technical_detail") ?? workspace.ErrorTechnicalDetail ?? "", failed.CorrelationId, step, attempt,
                Int(payload, "retry_count"), at, await HistoryAsync(db, workspace.Id, failed.CorrelationId, cancellationToken),
                link.AdminUrl(), link.WorkspaceUrl(workspace.Id));
        }

        foreach (var recipient in recipients)
        {
            // A requester who is also a tenant admin gets the admin's version only: one email, one notification.
            if (recipient.IsTenantAdmin)
            {
                db.Notifications.Add(new Notification(recipient.UserId, workspace.TenantId, workspace.Id, WorkspaceNotifications.ProvisioningFailedKind,
                    $"{workspace.Name} failed: {code}",
                    $"{workspace.RequestedBy}'s workspace failed{(step.Length > 0 ? $" at {step}" : "")} (run {attempt}). {userMessage}", at));
                Email(db, recipient, workspace, EmailTemplates.TenantAdminFailure, forAdmins!,
                    $"[{workspace.TenantId}] Workspace {workspace.Name} failed: {code}", at);
            }
            else
            {
                db.Notifications.Add(new Notification(recipient.UserId, workspace.TenantId, workspace.Id, WorkspaceNotifications.ProvisioningFailedKind,
                    $"{workspace.Name} could not be provisioned", userMessage, at));
                Email(db, recipient, workspace, EmailTemplates.RequesterFailure, forRequester,
                    $"Your workspace {workspace.Name} could not be provisioned", at);
            }
        }

        LogNotified(failed.Type, workspace.Id, recipients.Count, recipients.Count(r => r.WantsEmail));
    }

    private async Task WriteReadyAsync(ProvisioningDbContext db, Workspace workspace, WorkspaceEvent succeeded, JsonElement payload, CancellationToken cancellationToken)
    {
        var recipients = (await RecipientsAsync(db, workspace, includeTenantAdmins: false, cancellationToken)).Where(r => r.IsRequester).ToList();
        var attempt = Int(payload, "attempt");
        var model = new WorkspaceReadyModel(workspace.Id, workspace.Name, attempt, links.Value.WorkspaceUrl(workspace.Id));
        foreach (var recipient in recipients)
        {
            db.Notifications.Add(new Notification(recipient.UserId, workspace.TenantId, workspace.Id, WorkspaceNotifications.WorkspaceReadyKind,
                $"{workspace.Name} is ready", $"Your workspace is ready after retry (run {attempt}).", succeeded.OccurredAt));
            Email(db, recipient, workspace, EmailTemplates.WorkspaceReady, model, $"Your workspace {workspace.Name} is ready", succeeded.OccurredAt);
        }

        LogNotified(succeeded.Type, workspace.Id, recipients.Count, recipients.Count(r => r.WantsEmail));
    }

    private static void Email<TModel>(
        ProvisioningDbContext db, Recipient recipient, Workspace workspace, string template, TModel model, string subject, DateTimeOffset at)
    {
        if (recipient.WantsEmail)
        {
            db.Outbox.Add(new OutboxMessage(recipient.Email!, recipient.UserId, workspace.TenantId, workspace.Id, template,
                JsonSerializer.Serialize(model, EmailTemplates.ModelJson), subject, at));
        }
    }

    /// <summary>The requester and (optionally) the tenant admins, all of the workspace's own tenant; never anyone else.</summary>
    private async Task<List<Recipient>> RecipientsAsync(ProvisioningDbContext db, Workspace workspace, bool includeTenantAdmins, CancellationToken cancellationToken)
    {
        // Workspaces record the requester by email; looked up as Identity's default normalizer stores it.
        var requester = workspace.RequestedBy.Normalize().ToUpperInvariant();
        var tenantId = workspace.TenantId;
        var users = await db.Users.AsNoTracking()
            .Where(u => u.TenantId == tenantId && ((includeTenantAdmins && u.Role == PortalRole.TenantAdmin) || u.NormalizedEmail == requester))
            .OrderBy(u => u.Email)
            .Select(u => new { u.Id, u.Email, u.NormalizedEmail, u.Role, u.EmailNotifications })
            .ToListAsync(cancellationToken);
        if (!users.Any(u => u.NormalizedEmail == requester))
        {
            LogRequesterUnknown(workspace.Id, workspace.TenantId);
        }

        return users
            .Select(u => new Recipient(u.Id, u.Email, u.Role == PortalRole.TenantAdmin, u.NormalizedEmail == requester,
                u.EmailNotifications && !string.IsNullOrWhiteSpace(u.Email)))
            .ToList();
    }

    /// <summary>What each step did in the failed attempt, from the attempt's events (saved ones and those in this save).</summary>
    private static async Task<IReadOnlyList<StepHistory>> HistoryAsync(
        ProvisioningDbContext db, Guid workspaceId, Guid? correlationId, CancellationToken cancellationToken)
    {
        if (correlationId is null)
        {
            return [];
        }

        var saved = await db.Events.IgnoreQueryFilters().AsNoTracking()
            .Where(e => e.WorkspaceId == workspaceId && e.CorrelationId == correlationId && HistoryTypes.Contains(e.Type))
            .OrderBy(e => e.Sequence)
            .ToListAsync(cancellationToken);
        var saving = db.ChangeTracker.Entries<WorkspaceEvent>()
            .Where(e => e.State == EntityState.Added && e.Entity.WorkspaceId == workspaceId && e.Entity.CorrelationId == correlationId)
            .Select(e => e.Entity);

        var steps = new List<StepHistoryBuilder>();
        foreach (var e in saved.Concat(saving))
        {
            using var payload = JsonDocument.Parse(e.Payload);
            var root = payload.RootElement;
            if (String(root, "step") is not { } name)
            {
                continue;
            }

            var step = steps.Find(s => s.Step == name);
            if (step is null)
            {
                step = new StepHistoryBuilder(name);
                steps.Add(step);
            }

            step.Apply(e.Type, e.OccurredAt, root);
        }

        return steps.Select(s => s.Build()).ToList();
    }

    private static string? String(JsonElement payload, string name) =>
        payload.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static int Int(JsonElement payload, string name) =>
        payload.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetInt32() : 0;

    private static DateTimeOffset? Time(JsonElement payload, string name) =>
        payload.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetDateTimeOffset() : null;

    [LoggerMessage(Level = LogLevel.Information, Message = "{EventType} of workspace {WorkspaceId}: notified {People} people, {Emails} by email")]
    private partial void LogNotified(string eventType, Guid workspaceId, int people, int emails);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The requester of workspace {WorkspaceId} is no user of tenant {TenantId}; they are not notified")]
    private partial void LogRequesterUnknown(Guid workspaceId, string tenantId);

    private sealed record Recipient(string UserId, string? Email, bool IsTenantAdmin, bool IsRequester, bool WantsEmail);

    private sealed class StepHistoryBuilder(string step)
    {
        private readonly List<StepTry> _tries = [];
        private string _outcome = "started";
        private DateTimeOffset? _startedAt;
        private DateTimeOffset? _finishedAt;
        private string? _compensation;

        public string Step => step;

        public void Apply(string type, DateTimeOffset at, JsonElement payload)
        {
            switch (type)
            {
                case WorkspaceEventTypes.StepStarted:
                    _startedAt ??= at;
                    break;
                case WorkspaceEventTypes.StepRetryScheduled:
                    // "attempt" is the number of the try the retry will make; the one that failed came before it.
                    _tries.Add(new StepTry(Int(payload, "attempt") - 1, at, String(payload, "error_code") ?? "",
                        String(payload, "technical_detail"), Time(payload, "next_retry_at")));
                    break;
                case WorkspaceEventTypes.StepSucceeded:
                    _outcome = "succeeded";
                    _finishedAt = at;
                    break;
                case WorkspaceEventTypes.StepFailed:
                    _outcome = "failed";
                    _finishedAt = at;
                    _tries.Add(new StepTry(Int(payload, "retry_count") + 1, at, String(payload, "error_code") ?? "",
                        String(payload, "technical_detail"), null));
                    break;
                // Compensation records every step it visits; only one that had resources did something.
                case WorkspaceEventTypes.ResourceReleased when HasResources(payload):
                    _compensation = "released";
                    break;
                case WorkspaceEventTypes.ResourceRetained when HasResources(payload):
                    _compensation = "retained";
                    break;
                case WorkspaceEventTypes.CompensationFailed:
                    _compensation = "cleanup_failed";
                    break;
            }
        }

        public StepHistory Build() =>
            new(step, _outcome, _startedAt, _finishedAt, _tries.Count(t => t.NextRetryAt is not null), _tries, _compensation);

        private static bool HasResources(JsonElement payload) =>
            payload.TryGetProperty("resources", out var resources) && resources.ValueKind == JsonValueKind.Array && resources.GetArrayLength() > 0;
    }
}
