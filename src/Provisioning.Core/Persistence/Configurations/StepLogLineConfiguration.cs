using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Provisioning.Core.Workspaces;

namespace Provisioning.Core.Persistence.Configurations;

internal sealed class StepLogLineConfiguration : IEntityTypeConfiguration<StepLogLine>
{
    public void Configure(EntityTypeBuilder<StepLogLine> builder)
    {
        builder.ToTable("step_log_lines");
        builder.HasKey(l => l.Id);
        builder.Property(l => l.Id).ValueGeneratedOnAdd();
        builder.Property(l => l.Step).HasMaxLength(64);
        builder.Property(l => l.Phase).HasMaxLength(16);
        builder.Property(l => l.Stream).HasMaxLength(16);
        builder.HasIndex(l => new { l.WorkspaceId, l.Step, l.Attempt, l.Number }).IsUnique();
        builder.HasOne<Workspace>().WithMany().HasForeignKey(l => l.WorkspaceId);
    }
}
