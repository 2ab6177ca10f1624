using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Provisioning.Core.Identity;
using Provisioning.Core.Workspaces;

namespace Provisioning.Core.Persistence.Configurations;

internal sealed class InvitationConfiguration : IEntityTypeConfiguration<Invitation>
{
    public void Configure(EntityTypeBuilder<Invitation> builder)
    {
        builder.ToTable("invitations");
        builder.HasKey(i => i.Id);
        builder.Property(i => i.Id).ValueGeneratedNever();
        builder.Property(i => i.Email).HasMaxLength(Invitation.MaxEmailLength).IsRequired();
        builder.Property(i => i.NormalizedEmail).HasMaxLength(Invitation.MaxEmailLength).IsRequired();
        builder.Property(i => i.TenantId).HasMaxLength(64).IsRequired();
        builder.Property(i => i.Role).HasConversion<string>().HasMaxLength(20);
        builder.Property(i => i.InvitedBy).HasMaxLength(450).IsRequired();
        builder.Property(i => i.TokenHash).HasMaxLength(64);
        builder.Property(i => i.AcceptedUserId).HasMaxLength(450);
        builder.HasOne<Tenant>().WithMany().HasForeignKey(i => i.TenantId);
        // Accepting finds the invitation by its token; each token is the hash of 256 random bits, so unique.
        builder.HasIndex(i => i.TokenHash).IsUnique();
        // One open invitation per address, decided by the database when two admins invite the same person at once.
        // The filter is plain SQL that SQLite and PostgreSQL read alike.
        builder.HasIndex(i => i.NormalizedEmail).IsUnique().HasFilter("\"AcceptedAt\" IS NULL AND \"RevokedAt\" IS NULL");
        builder.HasIndex(i => new { i.TenantId, i.CreatedAt });
    }
}
