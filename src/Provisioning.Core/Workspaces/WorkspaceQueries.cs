using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Provisioning.Core.Persistence;
using Provisioning.Core.Templates;

namespace Provisioning.Core.Workspaces;

/// <summary>
/// Reads workspaces for people: always within one tenant (the context's query filter), a fixed number of
/// queries per page whatever its size.
/// </summary>
public sealed class WorkspaceQueries(IDbContextFactory<ProvisioningDbContext> dbFactory, WorkspaceDetailCache details, TemplateCatalog templates)
{
    public Task<PageOf<WorkspaceSummary>> ListAsync(string tenantId, WorkspaceStatus? status, int page, int pageSize, CancellationToken cancellationToken) =>
        ListAsync(tenantId, status, search: null, page, pageSize, cancellationToken);

    /// <summary>One page of the tenant's workspaces, newest first; <paramref name="search"/> keeps names that contain it.</summary>
    public async Task<PageOf<WorkspaceSummary>> ListAsync(
        string tenantId, WorkspaceStatus? status, string? search, int page, int pageSize, CancellationToken cancellationToken)
    {
        await using var db = await ScopedAsync(tenantId, cancellationToken);
        var query = Listed(db, tenantId, status);
        if (!string.IsNullOrWhiteSpace(search))
        {
            // Names are lowercase by rule, so a lowercase needle makes the search case-insensitive on every provider.
            var needle = search.Trim().ToLowerInvariant();
            query = query.Where(w => w.Name.Contains(needle));
        }

        var total = await query.CountAsync(cancellationToken);
        if (Paging.IsPastTheEnd(page, pageSize, total))
        {
            return new PageOf<WorkspaceSummary>([], total, page, pageSize);
        }

        var items = await query
            .OrderByDescending(w => w.CreatedAt)
            .Skip((page - 1) * pageSize)
            .Take(pageSize)
            .Select(w => new WorkspaceSummary(w.Id, w.Name, w.ReleaseId, w.Status, w.ErrorCode, w.ErrorDetail,
                new SizeView(w.Cpu, w.MemoryGb), w.CreatedAt, w.UpdatedAt))
            .ToListAsync(cancellationToken);
        return new PageOf<WorkspaceSummary>(items, total, page, pageSize);
    }

    /// <summary>One workspace with its steps; served from <see cref="WorkspaceDetailCache"/> while nothing changed.</summary>
    public async Task<WorkspaceDetail?> GetAsync(string tenantId, Guid workspaceId, CancellationToken cancellationToken)
    {
        if (details.TryGet(tenantId, workspaceId, out var cached))
        {
            return cached;
        }

        var generation = details.Generation(workspaceId);
        await using var db = await ScopedAsync(tenantId, cancellationToken);
        var workspace = await db.Workspaces.AsNoTracking()
            .Include(w => w.Steps.OrderBy(s => s.Order))
            .Include(w => w.Attempts)
            .AsSplitQuery()
            .SingleOrDefaultAsync(w => w.Id == workspaceId, cancellationToken);
        if (workspace is null)
        {
            return null;
        }

        var outputs = await db.Outputs.AsNoTracking()
            .Where(o => o.WorkspaceId == workspaceId && !o.Secret)
            .OrderBy(o => o.Key)
            .Select(o => new OutputView(o.Key, o.Value, o.Step))
            .ToListAsync(cancellationToken);
        var template = await db.Releases.AsNoTracking().Where(r => r.Id == workspace.ReleaseId).Select(r => r.Template).SingleOrDefaultAsync(cancellationToken);
        var detail = Detail(workspace, outputs, template is null ? null : templates.Find(template));
        details.Store(tenantId, workspaceId, generation, detail);
        return detail;
    }

    /// <summary>
    /// The timeline, oldest first; null when the workspace is not the tenant's. Technical detail (exception
    /// text) is for tenant admins: without <paramref name="includeTechnicalDetail"/> it is left out of payloads.
    /// </summary>
    public async Task<IReadOnlyList<EventView>?> EventsAsync(string tenantId, Guid workspaceId, bool includeTechnicalDetail, CancellationToken cancellationToken)
    {
        await using var db = await ScopedAsync(tenantId, cancellationToken);
        if (!await db.Workspaces.AnyAsync(w => w.Id == workspaceId, cancellationToken))
        {
            return null;
        }

        var events = await db.Events.AsNoTracking()
            .Where(e => e.WorkspaceId == workspaceId)
            .OrderBy(e => e.Sequence)
            .ToListAsync(cancellationToken);
        return events.Select(e => new EventView(e.Sequence, e.Type, e.OccurredAt, e.Actor, e.CorrelationId,
            Payload(e.Payload, includeTechnicalDetail))).ToList();
    }

    public async Task<IReadOnlyList<ResourceView>?> ResourcesAsync(string tenantId, Guid workspaceId, CancellationToken cancellationToken)
    {
        await using var db = await ScopedAsync(tenantId, cancellationToken);
        if (!await db.Workspaces.AnyAsync(w => w.Id == workspaceId, cancellationToken))
        {
            return null;
        }

        return await db.Resources.AsNoTracking()
            .Where(r => r.WorkspaceId == workspaceId)
            .OrderBy(r => r.CreatedAt)
            .Select(r => new ResourceView(r.Id, r.WorkspaceId, r.Step, r.Kind, r.ExternalId, r.State, r.LastError, r.UpdatedAt))
            .ToListAsync(cancellationToken);
    }

    /// <summary>
    /// Up to <paramref name="limit"/> lines of a step's log after line <paramref name="after"/>, in one attempt: the one
    /// named, else the latest that has lines for the step, else the workspace's latest. Null when the workspace is not
    /// the tenant's or has no such step.
    /// </summary>
    public async Task<StepLogPage?> StepLogAsync(
        string tenantId, Guid workspaceId, string step, int? attempt, int after, int limit, CancellationToken cancellationToken)
    {
        await using var db = await ScopedAsync(tenantId, cancellationToken);
        var workspace = await db.Workspaces.AsNoTracking()
            .Where(w => w.Id == workspaceId)
            .Select(w => new { Latest = w.Attempts.Max(a => (int?)a.Number) ?? 0, HasStep = w.Steps.Any(s => s.Name == step) })
            .SingleOrDefaultAsync(cancellationToken);
        if (workspace is not { HasStep: true })
        {
            return null;
        }

        var lines = db.StepLogLines.AsNoTracking().Where(l => l.WorkspaceId == workspaceId && l.Step == step);
        var number = attempt ?? await lines.MaxAsync(l => (int?)l.Attempt, cancellationToken) ?? workspace.Latest;
        var page = await lines
            .Where(l => l.Attempt == number && l.Number > after)
            .OrderBy(l => l.Number)
            .Take(limit + 1)
            .Select(l => new StepLogLineView(l.Number, l.At, l.Phase, l.Stream, l.Line))
            .ToListAsync(cancellationToken);
        var more = page.Count > limit;
        if (more)
        {
            page.RemoveAt(limit);
        }

        return new StepLogPage(step, number, page, more ? page[^1].Number : null);
    }

    /// <summary>The tenant admin's list: technical detail, attempts and per-step retry history.</summary>
    public async Task<PageOf<AdminWorkspaceView>> AdminListAsync(
        string tenantId, WorkspaceStatus? status, string? errorCode, int page, int pageSize, CancellationToken cancellationToken)
    {
        await using var db = await ScopedAsync(tenantId, cancellationToken);
        var query = Listed(db, tenantId, status);
        if (errorCode is not null)
        {
            query = query.Where(w => w.ErrorCode == errorCode);
        }
        var total = await query.CountAsync(cancellationToken);
        if (Paging.IsPastTheEnd(page, pageSize, total))
        {
            return new PageOf<AdminWorkspaceView>([], total, page, pageSize);
        }

        var workspaces = await query
            .OrderByDescending(w => w.UpdatedAt)
            .Skip((page - 1) * pageSize)
            .Take(pageSize)
            .Include(w => w.Steps.OrderBy(s => s.Order))
            .Include(w => w.Attempts)
            .AsSplitQuery()
            .ToListAsync(cancellationToken);
        var items = workspaces.Select(w => new AdminWorkspaceView(
            w.Id, w.Name, w.ReleaseId, w.Status, w.RequestedBy, w.ErrorCode, w.ErrorDetail, w.ErrorTechnicalDetail, w.CorrelationId,
            w.CreatedAt, w.UpdatedAt,
            w.Attempts.OrderBy(a => a.Number).Select(a => new AttemptView(a.Number, a.Trigger, a.TriggeredBy, a.CorrelationId, a.StartedAt, a.FinishedAt, a.Outcome, a.ErrorCode, a.Phase)).ToList(),
            w.Steps.Select(s => new AdminStepView(s.Name, s.Status, s.RetryCount, s.NextRetryAt, s.ErrorCode, s.ErrorDetails, s.StartedAt, s.CompletedAt)).ToList()))
            .ToList();
        return new PageOf<AdminWorkspaceView>(items, total, page, pageSize);
    }

    private static JsonElement Payload(string json, bool includeTechnicalDetail)
    {
        var node = JsonNode.Parse(json)!.AsObject();
        if (!includeTechnicalDetail)
        {
            node.Remove("technical_detail");
        }

        return JsonSerializer.SerializeToElement(node);
    }

    public static WorkspaceDetail Detail(Workspace w, IReadOnlyList<OutputView> outputs, ProvisioningTemplate? template) => new(
        w.Id, w.Name, w.ReleaseId, w.Status, w.ErrorCode, w.ErrorDetail, w.LatestAttempt?.Number ?? 0, w.CorrelationId,
        new SizeView(w.Cpu, w.MemoryGb), w.RequestedBy, w.CreatedAt, w.UpdatedAt,
        w.Steps.OrderBy(s => s.Order).Select(s => new StepView(
            s.Name, s.Status, s.StartedAt, s.CompletedAt, s.RetryCount, s.NextRetryAt, s.ErrorCode, s.ErrorMessage, KindOf(template?.Step(s.Name)))).ToList(),
        outputs);

    private static string KindOf(TemplateStep? step) => step?.Action switch
    {
        CommandAction => StepKinds.Command,
        HttpAction => StepKinds.Http,
        _ => StepKinds.BuiltIn,
    };

    /// <summary>
    /// The tenant's workspaces in one status, or all but deleted ones. The tenant is named here as well as by the
    /// query filter, and only the filters in use are added: SQL of the form <c>@p IS NULL OR column = @p</c>
    /// keeps SQLite off the <c>(TenantId, …)</c> indexes, so every list would read every tenant's rows.
    /// </summary>
    private static IQueryable<Workspace> Listed(ProvisioningDbContext db, string tenantId, WorkspaceStatus? status)
    {
        var query = db.Workspaces.AsNoTracking().Where(w => w.TenantId == tenantId);
        return status is { } only
            ? query.Where(w => w.Status == only)
            : query.Where(w => w.Status != WorkspaceStatus.Deleted);
    }

    private async Task<ProvisioningDbContext> ScopedAsync(string tenantId, CancellationToken cancellationToken)
    {
        var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        db.TenantScope = tenantId;
        return db;
    }
}
