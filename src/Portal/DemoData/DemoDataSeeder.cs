using Microsoft.AspNetCore.Identity;
using Provisioning.Core;
using Provisioning.Core.Identity;
using Provisioning.Core.Persistence;
using Provisioning.Core.Releases;
using Provisioning.Core.Scheduling;
using Provisioning.Core.Workspaces;

namespace Portal.DemoData;

/// <summary>
/// The demo tenants, users and releases of DESIGN §10, seeded once when <c>Portal:SeedDemoData</c> is true.
/// Each release starts in the state the table gives; the artifacts ship in <c>DemoData/releases</c>.
/// </summary>
internal sealed class DemoDataSeeder(IReleaseStore releases, IServiceScopeFactory scopes) : IStartupSeeder
{
    /// <summary>Demo only: documented in the README, never for a real deployment.</summary>
    public const string DemoPassword = "Portal-demo-1!";

    private static readonly (string Email, string? Tenant, PortalRole Role)[] Users =
    [
        ("member@acme.test", "acme", PortalRole.Member),
        ("admin@acme.test", "acme", PortalRole.TenantAdmin),
        ("member@globex.test", "globex", PortalRole.Member),
        ("ops@platform.test", null, PortalRole.PlatformAdmin),
    ];

    /// <summary>What the publisher announced for demo-app 1.1.0; the shipped artifact differs from it.</summary>
    private const string PublishedButWrongChecksum = "0f343b0931126a20f133d67c2b018a3b1ba7e41e4a5e0c8ee6f6e3a2cbf0ef10";

    private static readonly DemoRelease[] Releases =
    [
        new("demo-app", "1.0.0", "app", "demo-app-1.0.0.json", Ship: true, Checksum: null, 2, 4),
        new("demo-app", "1.1.0", "app", "demo-app-1.1.0.json", Ship: true, Checksum: PublishedButWrongChecksum, 2, 4),
        new("demo-app", "2.0.0", "app", "demo-app-2.0.0.json", Ship: false, Checksum: null, 2, 4),
        new("slow-app", "1.0.0", "app", "slow-app-1.0.0.json", Ship: true, Checksum: null, 1, 2),
        new("ubuntu-vm", "24.04", "vm", "ubuntu-vm-24.04.json", Ship: true, Checksum: null, 2, 8),
    ];

    public async Task SeedAsync(ProvisioningDbContext db, CancellationToken cancellationToken)
    {
        foreach (var (id, name) in new[] { ("acme", "Acme Corporation"), ("globex", "Globex") })
        {
            if (await db.Tenants.FindAsync([id], cancellationToken) is null)
            {
                db.Tenants.Add(new Tenant(id, name));
            }
        }

        var shipped = Path.Combine(AppContext.BaseDirectory, "DemoData", "releases");
        foreach (var demo in Releases)
        {
            if (await db.Releases.FindAsync([$"{demo.Name}@{demo.Version}"], cancellationToken) is not null)
            {
                continue;
            }

            // demo-app 2.0.0 was announced but its artifact never published: it starts unavailable.
            var release = new Release(demo.Name, demo.Version, demo.Template, demo.Artifact, new string('0', 64), demo.Cpu, demo.MemoryGb);
            // The VM to clone: the path vcsim's default inventory has, so a vSphere adapter finds it there (seed 003).
            release.Describe(description: null, source: demo.Template == "vm" ? "/DC0/vm/DC0_H0_VM0" : null);
            db.Releases.Add(release);
            if (demo.Ship)
            {
                // The row first: on PostgreSQL the artifact refers to it.
                await db.SaveChangesAsync(cancellationToken);
                await using var artifact = File.OpenRead(Path.Combine(shipped, demo.Artifact));
                await releases.PublishAsync(release, artifact, expectedSha256: null, cancellationToken);
            }

            // demo-app 1.1.0 was published, then its recorded checksum went wrong.
            if (demo.Checksum is { } recorded)
            {
                release.RecordChecksum(recorded);
            }
        }

        await db.SaveChangesAsync(cancellationToken);
        await SeedUsersAsync();
    }

    private async Task SeedUsersAsync()
    {
        // Identity's user manager is scoped; start-up has no scope of its own.
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetService<UserManager<PortalUser>>();
        if (users is null)
        {
            return;
        }

        foreach (var (email, tenant, role) in Users)
        {
            if (await users.FindByEmailAsync(email) is not null)
            {
                continue;
            }

            var created = await users.CreateAsync(new PortalUser { UserName = email, Email = email, EmailConfirmed = true, TenantId = tenant, Role = role }, DemoPassword);
            if (!created.Succeeded)
            {
                throw new InvalidOperationException($"Demo user {email} could not be created: {string.Join(" ", created.Errors.Select(e => e.Description))}");
            }
        }
    }

    private sealed record DemoRelease(string Name, string Version, string Template, string Artifact, bool Ship, string? Checksum, int Cpu, int MemoryGb);
}
