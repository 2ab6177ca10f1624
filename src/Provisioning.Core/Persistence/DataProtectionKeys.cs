using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.EntityFrameworkCore;

namespace Provisioning.Core.Persistence;

/// <summary>One Data Protection key, as the key manager writes it (XML).</summary>
public sealed class DataProtectionKey
{
    public int Id { get; private set; }

    public string FriendlyName { get; init; } = "";

    public string Xml { get; init; } = "";
}

/// <summary>
/// Data Protection's key ring in the portal's PostgreSQL database, so that every node protects and unprotects with
/// the same keys: a cookie, bearer token or protected secret made on one node reads on all. Keys are written once and
/// never changed; the key manager itself decides when to make a new one.
/// </summary>
/// <remarks>
/// Our own few lines rather than Microsoft.AspNetCore.DataProtection.EntityFrameworkCore: its repository saves through
/// the synchronous <c>SaveChanges</c>, which the portal's context refuses (events, checks and write ordering live in the
/// asynchronous save), and resolves a scoped context where the portal has a pooled factory; a second context just for
/// keys would need a migrations set of its own on each provider. It would also pull every EF Core package up to its
/// own version.
/// </remarks>
internal sealed class DatabaseKeyRing(IDbContextFactory<ProvisioningDbContext> dbFactory) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var db = dbFactory.CreateDbContext();
        return [.. db.Set<DataProtectionKey>().AsNoTracking().OrderBy(k => k.Id).Select(k => k.Xml).AsEnumerable().Select(XElement.Parse)];
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        // The key manager calls this synchronously, under its own lock: one plain INSERT on the context's connection,
        // not a save through the portal's (asynchronous) save pipeline, which a key row needs nothing of.
        using var db = dbFactory.CreateDbContext();
        var xml = element.ToString(SaveOptions.DisableFormatting);
        db.Database.ExecuteSql($"INSERT INTO data_protection_keys (\"FriendlyName\", \"Xml\") VALUES ({friendlyName}, {xml})");
    }
}
