using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Provisioning.Core.Notifications;

namespace Provisioning.Core.Persistence.Configurations;

internal sealed class NotificationConfiguration : IEntityTypeConfiguration<Notification>
{
    public void Configure(EntityTypeBuilder<Notification> builder)
    {
        builder.ToTable("notifications");
        builder.HasKey(n => n.Id);
        builder.Property(n => n.Id).ValueGeneratedNever();
        builder.Property(n => n.UserId).HasMaxLength(450);
        builder.Property(n => n.TenantId).HasMaxLength(64);
        builder.Property(n => n.Kind).HasMaxLength(64);
        builder.Property(n => n.Title).HasMaxLength(200);
        builder.HasIndex(n => new { n.UserId, n.CreatedAt });
    }
}
