using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Provisioning.Core.TenantDatabases;

namespace Provisioning.Core.Persistence.Configurations;

internal sealed class TenantDatabaseConfiguration : IEntityTypeConfiguration<TenantDatabase>
{
    public void Configure(EntityTypeBuilder<TenantDatabase> builder)
    {
        builder.ToTable("tenant_databases");
        builder.HasKey(d => d.WorkspaceId);
        builder.Property(d => d.FileName).HasMaxLength(200);
    }
}
