using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Provisioning.Core.Identity;
using Provisioning.Core.Notifications;
using Provisioning.Core.Releases;
using Provisioning.Core.Simulator;
using Provisioning.Core.TenantDatabases;
using Provisioning.Core.Workspaces;

namespace Provisioning.Core.Persistence;

/// <summary>
/// The portal's database, Identity's tables included. One model for every provider; each provider has a
/// thin subclass with its own migrations (<see cref="SqliteProvisioningDbContext"/>).
/// </summary>
public abstract class ProvisioningDbContext(DbContextOptions options) : IdentityDbContext<PortalUser>(options)
{
    /// <summary>
    /// The tenant whose data this context may see, or null for the platform's own work (the engine,
    /// platform admins). The one place tenant isolation is enforced: a query filter on every tenant-owned set.
    /// </summary>
    public string? TenantScope { get; set; }

    /// <summary>The events the save in progress writes, published once it commits (<see cref="PublishCommittedEvents"/>).</summary>
    internal List<WorkspaceEvent>? EventsBeingSaved { get; set; }

    /// <summary>
    /// Work an interceptor asks to run once the save in progress has committed and left any provider's write gate
    /// (where waiting holds up no other writer): the crash-point tests' hold (<see cref="CommitHold"/>).
    /// </summary>
    internal Func<CancellationToken, Task>? AfterCommit { get; set; }

    /// <summary>Whether the save in progress accepts the changes once written (a writer that bypasses EF Core must do it too).</summary>
    internal bool AcceptsChangesOnSave { get; private set; }

    public DbSet<Tenant> Tenants => Set<Tenant>();

    public DbSet<Invitation> Invitations => Set<Invitation>();

    public DbSet<Release> Releases => Set<Release>();

    public DbSet<Workspace> Workspaces => Set<Workspace>();

    public DbSet<ProvisioningAttempt> Attempts => Set<ProvisioningAttempt>();

    public DbSet<ProvisioningStep> Steps => Set<ProvisioningStep>();

    public DbSet<WorkspaceEvent> Events => Set<WorkspaceEvent>();

    public DbSet<Resource> Resources => Set<Resource>();

    public DbSet<WorkspaceOutput> Outputs => Set<WorkspaceOutput>();

    public DbSet<StepLogLine> StepLogLines => Set<StepLogLine>();

    public DbSet<Notification> Notifications => Set<Notification>();

    public DbSet<OutboxMessage> Outbox => Set<OutboxMessage>();

    public DbSet<IdempotencyRecord> IdempotencyRecords => Set<IdempotencyRecord>();

    public DbSet<TenantDatabase> TenantDatabases => Set<TenantDatabase>();

    public DbSet<SimulatedResource> SimulatedResources => Set<SimulatedResource>();

    public DbSet<SimulatedFault> SimulatedFaults => Set<SimulatedFault>();

    public DbSet<SimulatedCapacity> SimulatedCapacity => Set<SimulatedCapacity>();

    /// <summary>A workspace with the steps and attempts its consistency rule needs.</summary>
    /// <remarks>
    /// One query: a workspace has a handful of steps and attempts, so their join is a few dozen rows at most,
    /// cheaper than the three statements a split query runs.
    /// </remarks>
    public Task<Workspace?> LoadWorkspaceAsync(Guid id, CancellationToken cancellationToken) =>
        Workspaces
            .Include(w => w.Steps.OrderBy(s => s.Order))
            .Include(w => w.Attempts)
            .AsSingleQuery()
            .SingleOrDefaultAsync(w => w.Id == id, cancellationToken);

    /// <summary>
    /// Runs <paramref name="work"/> in one write transaction: reads inside it see a stable state, and
    /// everything it saves commits together.
    /// </summary>
    public virtual async Task<T> InWriteTransactionAsync<T>(Func<Task<T>> work, CancellationToken cancellationToken)
    {
        await using var transaction = await Database.BeginTransactionAsync(cancellationToken);
        var result = await work();
        await transaction.CommitAsync(cancellationToken);
        return result;
    }

    /// <summary>
    /// Claims up to <paramref name="count"/> pending emails that are due and held by no run, oldest due first, for
    /// <paramref name="claimant"/> until <paramref name="until"/>; returns how many it claimed.
    /// </summary>
    /// <remarks>
    /// Each row is taken with a compare-and-set (unclaimed or lease expired, still pending), so two runs racing for a
    /// row cannot both get it. PostgreSQL overrides this to skip rows another run is claiming instead of waiting for them.
    /// </remarks>
    public virtual async Task<int> ClaimOutboxAsync(
        string claimant, DateTimeOffset now, DateTimeOffset until, int count, CancellationToken cancellationToken)
    {
        var due = await Outbox
            .Where(m => m.Status == OutboxStatus.Pending && m.NextAttemptAt <= now && (m.ClaimedUntil == null || m.ClaimedUntil <= now))
            .OrderBy(m => m.NextAttemptAt)
            .ThenBy(m => m.CreatedAt)
            .Select(m => m.Id)
            .Take(count)
            .ToListAsync(cancellationToken);
        return due.Count == 0
            ? 0
            : await Outbox
                .Where(m => due.Contains(m.Id) && m.Status == OutboxStatus.Pending && (m.ClaimedUntil == null || m.ClaimedUntil <= now))
                .ExecuteUpdateAsync(set => set.SetProperty(m => m.ClaimedBy, claimant).SetProperty(m => m.ClaimedUntil, until), cancellationToken);
    }

    /// <summary>Whether a failed save broke a unique index (such as the one-active-attempt rule).</summary>
    public abstract bool IsUniqueViolation(DbUpdateException exception);

    /// <summary>
    /// Start-up's migrations and seeding run inside this: nothing on SQLite (one process owns the file); a database-wide
    /// lock on PostgreSQL, where several nodes may start at the same moment.
    /// </summary>
    public virtual Task<IAsyncDisposable> LockForStartupAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IAsyncDisposable>(NoLock.Instance);

    public override async Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        // Changes are detected once here; the save below need not do it again.
        ChangeTracker.DetectChanges();
        var autoDetect = ChangeTracker.AutoDetectChangesEnabled;
        ChangeTracker.AutoDetectChangesEnabled = false;
        int saved;
        try
        {
            // A workspace may record an event without a column changing (the same timestamp twice): look at events too,
            // and at its parts, whose changes move the workspace on as much as its own columns do.
            var partsChanged = ChangeTracker.Entries()
                .Where(e => e.State is EntityState.Added or EntityState.Modified or EntityState.Deleted)
                .Select(e => e.Entity switch
                {
                    ProvisioningStep step => step.WorkspaceId,
                    ProvisioningAttempt attempt => attempt.WorkspaceId,
                    Resource resource => resource.WorkspaceId,
                    _ => (Guid?)null,
                })
                .OfType<Guid>()
                .ToHashSet();
            var workspaces = ChangeTracker.Entries<Workspace>()
                .Where(e => e.State is EntityState.Added or EntityState.Modified || e.Entity.PendingEvents.Count > 0 || partsChanged.Contains(e.Entity.Id))
                .Select(e => e.Entity)
                .ToList();
            foreach (var workspace in workspaces)
            {
                workspace.EnsureConsistent();
                // Through the entry: changes were detected above, and the revision must be written (and compared) every time.
                Entry(workspace).Property(w => w.Revision).CurrentValue = workspace.Revision + 1;
                Events.AddRange(workspace.PendingEvents);
                Resources.AddRange(workspace.PlannedResources);
            }

            AcceptsChangesOnSave = acceptAllChangesOnSuccess;
            AfterCommit = null;
            try
            {
                saved = await CommitAsync(acceptAllChangesOnSuccess, cancellationToken);
            }
            catch (DbUpdateException e) when (e is not DbUpdateConcurrencyException && workspaces.Count > 0
                && ChangeTracker.Entries<Resource>().Any(r => r.State == EntityState.Added) && IsUniqueViolation(e))
            {
                // A resource this save records is recorded already: another writer of the workspace saved the same step
                // first. On PostgreSQL the insert can meet the other's row before the revision check is reached; it is
                // the same loss, and is told as one (RunAttemptJob goes again from what the database holds).
                throw new DbUpdateConcurrencyException(
                    "Another writer recorded this workspace's resource first; this save's view of the workspace is stale.", e);
            }

            foreach (var workspace in workspaces)
            {
                // Events are append-only: once written nothing changes them, so a long-lived context (the
                // engine's, one per run) need not keep comparing them on every later save.
                if (acceptAllChangesOnSuccess)
                {
                    foreach (var written in workspace.PendingEvents)
                    {
                        Entry(written).State = EntityState.Detached;
                    }
                }

                workspace.ClearPendingEvents();
            }
        }
        finally
        {
            ChangeTracker.AutoDetectChangesEnabled = autoDetect;
        }

        if (AfterCommit is { } afterCommit)
        {
            AfterCommit = null;
            await afterCommit(cancellationToken);
        }

        return saved;
    }

    /// <summary>Saves go through the async path only: that is where events, checks and the SQLite write gate live.</summary>
    public override int SaveChanges(bool acceptAllChangesOnSuccess) =>
        throw new NotSupportedException("Use SaveChangesAsync: events, consistency checks and write ordering live there.");

    /// <summary>Writes the prepared changes; a provider may serialise this part (and only this part).</summary>
    protected virtual Task<int> CommitAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken) =>
        base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);

    private sealed class NoLock : IAsyncDisposable
    {
        public static readonly NoLock Instance = new();

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(ProvisioningDbContext).Assembly);
        modelBuilder.Entity<Workspace>().HasQueryFilter(w => TenantScope == null || w.TenantId == TenantScope);
        modelBuilder.Entity<WorkspaceEvent>().HasQueryFilter(e => TenantScope == null || e.TenantId == TenantScope);
        modelBuilder.Entity<Notification>().HasQueryFilter(n => TenantScope == null || n.TenantId == TenantScope);
        modelBuilder.Entity<OutboxMessage>().HasQueryFilter(m => TenantScope == null || m.TenantId == TenantScope);
        modelBuilder.Entity<Invitation>().HasQueryFilter(i => TenantScope == null || i.TenantId == TenantScope);
    }
}
