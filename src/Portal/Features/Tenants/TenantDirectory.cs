using Microsoft.EntityFrameworkCore;
using Provisioning.Core.Persistence;
using Provisioning.Core.Workspaces;

namespace Portal.Features.Tenants;

/// <summary>What a platform admin sees of a tenant.</summary>
public sealed record TenantView(string Id, string Name, bool Active, DateTimeOffset? DeactivatedAt, int Users, int Workspaces);

public sealed record NewTenant(string? Id, string? Name);

/// <summary>A rename, a deactivation (<c>active: false</c>) or a reactivation; what is left out stays as it is.</summary>
public sealed record TenantChange(string? Name, bool? Active);

/// <summary>
/// Tenants for platform admins (issue 14), for the API and the page alike: create, list, rename, deactivate. A
/// deactivated tenant keeps its workspaces and its users, who can no longer sign in (<c>PortalSignInManager</c>).
/// </summary>
public sealed class TenantDirectory(IDbContextFactory<ProvisioningDbContext> dbFactory, TimeProvider time)
{
    public const string IdRule = "The id must be 2 to 40 lower-case letters, digits and dashes, starting with a letter or digit (for example initech).";

    public async Task<List<TenantView>> ListAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await Views(db, db.Tenants.OrderBy(t => t.Id)).ToListAsync(cancellationToken);
    }

    public async Task<TenantView?> GetAsync(string id, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await Views(db, db.Tenants.Where(t => t.Id == id)).SingleOrDefaultAsync(cancellationToken);
    }

    /// <summary>What is wrong with a new tenant, by field (<c>id</c>, <c>name</c>); empty when nothing is.</summary>
    public static Dictionary<string, string[]> Check(NewTenant? tenant)
    {
        var errors = new Dictionary<string, string[]>();
        if (!Tenant.IsValidId(tenant?.Id))
        {
            errors["id"] = [IdRule];
        }

        if (NameError(tenant?.Name) is { } nameError)
        {
            errors["name"] = [nameError];
        }

        return errors;
    }

    public static string? NameError(string? name) =>
        string.IsNullOrWhiteSpace(name) ? "Give the tenant a name (for example Initech)."
        : name.Trim().Length > Tenant.MaxNameLength ? $"The name can be at most {Tenant.MaxNameLength} characters."
        : name.Any(char.IsControl) ? "The name cannot contain control characters (line breaks, tabs)."
        : null;

    /// <summary>Makes a tenant that passed <see cref="Check"/>; null when its id is taken (checked, and decided by the key when two race).</summary>
    public async Task<TenantView?> CreateAsync(NewTenant tenant, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (await db.Tenants.AnyAsync(t => t.Id == tenant.Id, cancellationToken))
        {
            return null;
        }

        db.Tenants.Add(new Tenant(tenant.Id!, tenant.Name!.Trim()));
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (db.IsUniqueViolation(e))
        {
            return null;
        }

        return await Views(db, db.Tenants.Where(t => t.Id == tenant.Id)).SingleAsync(cancellationToken);
    }

    /// <summary>Applies a change whose name passed <see cref="NameError"/>; null when the tenant does not exist.</summary>
    public async Task<TenantView?> ChangeAsync(string id, TenantChange change, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (await db.Tenants.SingleOrDefaultAsync(t => t.Id == id, cancellationToken) is not { } tenant)
        {
            return null;
        }

        if (change.Name is not null)
        {
            tenant.Rename(change.Name.Trim());
        }

        switch (change.Active)
        {
            case false:
                tenant.Deactivate(time.GetUtcNow());
                break;
            case true:
                tenant.Reactivate();
                break;
        }

        await db.SaveChangesAsync(cancellationToken);
        return await Views(db, db.Tenants.Where(t => t.Id == id)).SingleAsync(cancellationToken);
    }

    // Filtered and ordered before the projection: EF Core cannot translate a condition on the record it builds.
    private static IQueryable<TenantView> Views(ProvisioningDbContext db, IQueryable<Tenant> tenants) =>
        tenants.AsNoTracking().Select(t => new TenantView(
            t.Id,
            t.Name,
            t.DeactivatedAt == null,
            t.DeactivatedAt,
            db.Users.Count(u => u.TenantId == t.Id),
            db.Workspaces.Count(w => w.TenantId == t.Id && w.Status != WorkspaceStatus.Deleted)));
}
