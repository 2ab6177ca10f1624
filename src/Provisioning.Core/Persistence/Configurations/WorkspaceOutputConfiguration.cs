using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Provisioning.Core.Workspaces;

namespace Provisioning.Core.Persistence.Configurations;

internal sealed class WorkspaceOutputConfiguration : IEntityTypeConfiguration<WorkspaceOutput>
{
    public void Configure(EntityTypeBuilder<WorkspaceOutput> builder)
    {
        builder.ToTable("workspace_outputs");
        builder.HasKey(o => o.Id);
        builder.Property(o => o.Id).ValueGeneratedNever();
        builder.Property(o => o.Step).HasMaxLength(64);
        builder.Property(o => o.Key).HasMaxLength(64);
        builder.HasIndex(o => new { o.WorkspaceId, o.Key }).IsUnique();
        builder.HasOne<Workspace>().WithMany().HasForeignKey(o => o.WorkspaceId);
    }
}
