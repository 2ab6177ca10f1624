using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Provisioning.Core.Workspaces;

namespace Provisioning.Core.Persistence.Configurations;

internal sealed class WorkspaceConfiguration : IEntityTypeConfiguration<Workspace>
{
    public void Configure(EntityTypeBuilder<Workspace> builder)
    {
        builder.ToTable("workspaces");
        builder.HasKey(w => w.Id);
        builder.Property(w => w.Id).ValueGeneratedNever();
        builder.Property(w => w.TenantId).HasMaxLength(64).IsRequired();
        builder.Property(w => w.RequestedBy).HasMaxLength(256).IsRequired();
        builder.Property(w => w.Name).HasMaxLength(63).IsRequired();
        builder.Property(w => w.ReleaseId).HasMaxLength(128).IsRequired();
        builder.Property(w => w.Status).HasConversion<string>().HasMaxLength(20);
        builder.Property(w => w.ErrorCode).HasMaxLength(64);
        builder.Property(w => w.Revision).IsConcurrencyToken();
        builder.Ignore(w => w.Size);
        builder.Ignore(w => w.ActiveAttempt);
        builder.Ignore(w => w.LatestAttempt);
        builder.HasIndex(w => new { w.TenantId, w.Status });
        builder.HasIndex(w => new { w.TenantId, w.CreatedAt });
        // Names become host and database names: unique within a tenant among workspaces not deleted.
        builder.HasIndex(w => new { w.TenantId, w.Name })
            .IsUnique()
            .HasFilter("\"Status\" <> 'Deleted'")
            .HasDatabaseName("UX_workspaces_name_per_tenant");
        builder.HasOne<Tenant>().WithMany().HasForeignKey(w => w.TenantId);
        builder.HasMany(w => w.Steps).WithOne().HasForeignKey(s => s.WorkspaceId);
        builder.HasMany(w => w.Attempts).WithOne().HasForeignKey(a => a.WorkspaceId);
        builder.Navigation(w => w.Steps).UsePropertyAccessMode(PropertyAccessMode.Field);
        builder.Navigation(w => w.Attempts).UsePropertyAccessMode(PropertyAccessMode.Field);
    }
}

internal sealed class ProvisioningAttemptConfiguration : IEntityTypeConfiguration<ProvisioningAttempt>
{
    public void Configure(EntityTypeBuilder<ProvisioningAttempt> builder)
    {
        builder.ToTable("provisioning_attempts");
        builder.HasKey(a => a.Id);
        builder.Property(a => a.Id).ValueGeneratedNever();
        builder.Property(a => a.Trigger).HasConversion<string>().HasMaxLength(10);
        builder.Property(a => a.Phase).HasConversion<string>().HasMaxLength(20);
        builder.Property(a => a.TriggeredBy).HasMaxLength(256);
        builder.Property(a => a.ErrorCode).HasMaxLength(64);
        builder.Property(a => a.FailedStep).HasMaxLength(100);
        builder.Property(a => a.CompensatingStep).HasMaxLength(100);
        builder.Ignore(a => a.IsActive);
        builder.Ignore(a => a.Outcome);
        builder.Ignore(a => a.Error);
        builder.HasIndex(a => new { a.WorkspaceId, a.Number }).IsUnique();
        // The database, not only the code, allows one active attempt per workspace: two concurrent
        // starts race here and exactly one commits.
        builder.HasIndex(a => a.WorkspaceId)
            .IsUnique()
            .HasFilter("\"FinishedAt\" IS NULL")
            .HasDatabaseName("UX_provisioning_attempts_one_active_per_workspace");
    }
}

internal sealed class ProvisioningStepConfiguration : IEntityTypeConfiguration<ProvisioningStep>
{
    public void Configure(EntityTypeBuilder<ProvisioningStep> builder)
    {
        builder.ToTable("provisioning_steps");
        builder.HasKey(s => s.Id);
        builder.Property(s => s.Id).ValueGeneratedNever();
        builder.Property(s => s.Name).HasMaxLength(100).IsRequired();
        builder.Property(s => s.Status).HasConversion<string>().HasMaxLength(20);
        builder.Property(s => s.ErrorCode).HasMaxLength(64);
        builder.Ignore(s => s.HasSucceeded);
        builder.HasIndex(s => new { s.WorkspaceId, s.Name }).IsUnique();
    }
}

internal sealed class WorkspaceEventConfiguration : IEntityTypeConfiguration<WorkspaceEvent>
{
    public void Configure(EntityTypeBuilder<WorkspaceEvent> builder)
    {
        builder.ToTable("workspace_events");
        builder.HasKey(e => e.Sequence);
        builder.Property(e => e.Sequence).ValueGeneratedOnAdd();
        builder.Property(e => e.Type).HasMaxLength(64).IsRequired();
        builder.Property(e => e.TenantId).HasMaxLength(64).IsRequired();
        builder.Property(e => e.Actor).HasMaxLength(256);
        builder.HasIndex(e => new { e.WorkspaceId, e.Sequence });
        builder.HasOne<Workspace>().WithMany().HasForeignKey(e => e.WorkspaceId);
    }
}

internal sealed class ResourceConfiguration : IEntityTypeConfiguration<Resource>
{
    public void Configure(EntityTypeBuilder<Resource> builder)
    {
        builder.ToTable("resources");
        builder.HasKey(r => r.Id);
        builder.Property(r => r.Id).ValueGeneratedNever();
        builder.Property(r => r.Step).HasMaxLength(100);
        builder.Property(r => r.Kind).HasMaxLength(32);
        builder.Property(r => r.ExternalId).HasMaxLength(256);
        builder.Property(r => r.State).HasConversion<string>().HasMaxLength(20);
        builder.HasIndex(r => new { r.WorkspaceId, r.Step, r.Kind, r.ExternalId }).IsUnique();
        builder.HasIndex(r => r.State);
        builder.HasOne<Workspace>().WithMany().HasForeignKey(r => r.WorkspaceId);
    }
}

internal sealed class TenantConfiguration : IEntityTypeConfiguration<Tenant>
{
    public void Configure(EntityTypeBuilder<Tenant> builder)
    {
        builder.ToTable("tenants");
        builder.HasKey(t => t.Id);
        builder.Property(t => t.Id).HasMaxLength(64);
        builder.Property(t => t.Name).HasMaxLength(Tenant.MaxNameLength);
        builder.Ignore(t => t.IsActive);
    }
}

internal sealed class IdempotencyRecordConfiguration : IEntityTypeConfiguration<IdempotencyRecord>
{
    public void Configure(EntityTypeBuilder<IdempotencyRecord> builder)
    {
        builder.ToTable("idempotency_keys");
        builder.HasKey(r => r.Id);
        builder.Property(r => r.Id).ValueGeneratedNever();
        builder.Property(r => r.UserId).HasMaxLength(450);
        builder.Property(r => r.Key).HasMaxLength(200);
        builder.Property(r => r.RequestHash).HasMaxLength(64);
        builder.HasIndex(r => new { r.UserId, r.Key }).IsUnique();
        builder.HasOne<Workspace>().WithMany().HasForeignKey(r => r.WorkspaceId);
    }
}
