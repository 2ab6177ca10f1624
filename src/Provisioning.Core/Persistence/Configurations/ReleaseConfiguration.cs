using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Provisioning.Core.Releases;

namespace Provisioning.Core.Persistence.Configurations;

internal sealed class ReleaseConfiguration : IEntityTypeConfiguration<Release>
{
    public void Configure(EntityTypeBuilder<Release> builder)
    {
        builder.ToTable("releases");
        builder.HasKey(r => r.Id);
        builder.Property(r => r.Id).HasMaxLength(128);
        builder.Property(r => r.Name).HasMaxLength(100);
        builder.Property(r => r.Version).HasMaxLength(28);
        builder.Property(r => r.Template).HasMaxLength(64);
        builder.Property(r => r.ArtifactFileName).HasMaxLength(200);
        builder.Property(r => r.Sha256).HasMaxLength(64);
        builder.Property(r => r.Description).HasMaxLength(ReleaseRules.MaxDescriptionLength);
        builder.Property(r => r.Source).HasMaxLength(ReleaseRules.MaxSourceLength);
        builder.Ignore(r => r.IsRetired);
    }
}
