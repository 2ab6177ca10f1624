using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Provisioning.Core.Simulator;

namespace Provisioning.Core.Persistence.Configurations;

internal sealed class SimulatedResourceConfiguration : IEntityTypeConfiguration<SimulatedResource>
{
    public void Configure(EntityTypeBuilder<SimulatedResource> builder)
    {
        builder.ToTable("sim_resources");
        builder.HasKey(r => r.Id);
        builder.Property(r => r.Id).ValueGeneratedNever();
        builder.Property(r => r.Name).HasMaxLength(200);
        builder.Property(r => r.Kind).HasMaxLength(32);
        builder.Ignore(r => r.IsActive);
        // One live resource per name: the idempotency key of every create.
        builder.HasIndex(r => r.Name).IsUnique().HasFilter("\"DeletedAt\" IS NULL");
        builder.HasIndex(r => r.WorkspaceId);
    }
}

internal sealed class SimulatedFaultConfiguration : IEntityTypeConfiguration<SimulatedFault>
{
    public void Configure(EntityTypeBuilder<SimulatedFault> builder)
    {
        builder.ToTable("sim_faults");
        builder.HasKey(f => f.Id);
        builder.Property(f => f.Id).ValueGeneratedNever();
        builder.Property(f => f.Step).HasMaxLength(100);
        builder.Property(f => f.Code).HasMaxLength(64);
        builder.Property(f => f.On).HasConversion<string>().HasMaxLength(12);
    }
}

internal sealed class SimulatedCapacityConfiguration : IEntityTypeConfiguration<SimulatedCapacity>
{
    public void Configure(EntityTypeBuilder<SimulatedCapacity> builder)
    {
        builder.ToTable("sim_capacity");
        builder.HasKey(c => c.Id);
        builder.Property(c => c.Id).ValueGeneratedNever();
    }
}
