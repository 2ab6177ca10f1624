using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql;
using Provisioning.Core.Releases;

namespace Provisioning.Core.Persistence;

/// <summary>The PostgreSQL flavour of the portal database (production, and the way to run several nodes).</summary>
/// <remarks>
/// New migration: <c>dotnet ef migrations add NAME --project src/Provisioning.Core
/// --context PostgresProvisioningDbContext --output-dir Persistence/Migrations/Postgres</c>
/// </remarks>
public sealed class PostgresProvisioningDbContext(DbContextOptions<PostgresProvisioningDbContext> options)
    : ProvisioningDbContext(options)
{
    /// <summary>The advisory lock nodes take around migrations and seeding, so that nodes starting together make one schema and one copy of the seed data.</summary>
    private const long StartupLockKey = 0x506f7274616c3031; // "Portal01"

    public override bool IsUniqueViolation(DbUpdateException exception) =>
        exception.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };

    /// <summary>Holds a session-level advisory lock on the context's connection until disposed.</summary>
    public override async Task<IAsyncDisposable> LockForStartupAsync(CancellationToken cancellationToken)
    {
        await Database.OpenConnectionAsync(cancellationToken);
        await Database.ExecuteSqlAsync($"SELECT pg_advisory_lock({StartupLockKey})", cancellationToken);
        // EF Core reads the migrations history before it creates the table; on an empty database that read fails and is
        // logged as an error at every first start. The table made here first (the same script EF Core runs) avoids it.
        await Database.ExecuteSqlRawAsync(this.GetService<IHistoryRepository>().GetCreateIfNotExistsScript(), cancellationToken);
        return new StartupLock(this);
    }

    /// <summary>One statement: rows another run is claiming right now are skipped, not waited for, so runs on several nodes take disjoint batches.</summary>
    public override Task<int> ClaimOutboxAsync(
        string claimant, DateTimeOffset now, DateTimeOffset until, int count, CancellationToken cancellationToken) =>
        Database.ExecuteSqlAsync(
            $"""
            UPDATE outbox_messages SET "ClaimedBy" = {claimant}, "ClaimedUntil" = {until}
            WHERE "Id" IN (
                SELECT "Id" FROM outbox_messages
                WHERE "Status" = 'Pending' AND "NextAttemptAt" <= {now} AND ("ClaimedUntil" IS NULL OR "ClaimedUntil" <= {now})
                ORDER BY "NextAttemptAt", "CreatedAt"
                LIMIT {count}
                FOR UPDATE SKIP LOCKED)
            """,
            cancellationToken);

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        // Release artifacts, which every node fetches from here (DatabaseReleaseStore); on SQLite they stay files.
        modelBuilder.Entity<ReleaseArtifact>(artifact =>
        {
            artifact.ToTable("release_artifacts");
            artifact.HasKey(a => a.ReleaseId);
            artifact.Property(a => a.ReleaseId).HasMaxLength(128);
            artifact.Property(a => a.Sha256).HasMaxLength(64);
            artifact.HasOne<Release>().WithOne().HasForeignKey<ReleaseArtifact>(a => a.ReleaseId);
        });

        // Data Protection's keys, shared by every node (DatabaseKeyRing); on SQLite they stay files of the one node.
        modelBuilder.Entity<DataProtectionKey>(key =>
        {
            key.ToTable("data_protection_keys");
            key.HasKey(k => k.Id);
            key.Property(k => k.FriendlyName);
            key.Property(k => k.Xml);
        });
    }

    private sealed class StartupLock(PostgresProvisioningDbContext db) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_unlock({StartupLockKey})");
            await db.Database.CloseConnectionAsync();
        }
    }
}
