using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;

namespace Provisioning.Core.Workspaces;

/// <summary>An organisation; every workspace belongs to exactly one.</summary>
public sealed partial class Tenant
{
    public const int MaxNameLength = 200;

    public Tenant(string id, string name)
    {
        Id = id;
        Name = name;
    }

    /// <summary>A short slug such as <c>acme</c> (<see cref="IsValidId"/>); it names the tenant in URLs and tokens, so it never changes.</summary>
    public string Id { get; private set; }

    public string Name { get; private set; }

    /// <summary>When a platform admin deactivated it: its users can no longer sign in, its workspaces are kept. Null while active.</summary>
    public DateTimeOffset? DeactivatedAt { get; private set; }

    public bool IsActive => DeactivatedAt is null;

    /// <summary>Lower-case letters, digits and dashes, 2 to 40 characters, not starting with a dash.</summary>
    public static bool IsValidId(string? id) => id is not null && IdPattern().IsMatch(id);

    public void Rename(string name) => Name = name;

    /// <summary>Deactivating twice keeps the first moment.</summary>
    public void Deactivate(DateTimeOffset now) => DeactivatedAt ??= now;

    public void Reactivate() => DeactivatedAt = null;

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{1,39}$")]
    private static partial Regex IdPattern();
}

/// <summary>Questions asked of the tenants table in more than one place.</summary>
public static class TenantQueries
{
    /// <summary>Whether <paramref name="id"/> names a tenant that is not deactivated.</summary>
    public static Task<bool> IsActiveAsync(this IQueryable<Tenant> tenants, string id, CancellationToken cancellationToken) =>
        tenants.AnyAsync(t => t.Id == id && t.DeactivatedAt == null, cancellationToken);
}
