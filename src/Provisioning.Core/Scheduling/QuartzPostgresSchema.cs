using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Provisioning.Core.Persistence;

namespace Provisioning.Core.Scheduling;

/// <summary>
/// The scheduler's tables in the portal's PostgreSQL database, created at start from the script Quartz.NET ships for
/// itself (every statement creates only what is missing). It runs as a start-up step, inside the advisory lock that
/// migrations and seeding take, so nodes starting together never race to create the same table.
/// </summary>
public sealed partial class QuartzPostgresSchema : IStartupSeeder
{
    /// <summary>How often a node records in the database that it is alive: one small transaction every 2 s per node.</summary>
    public static readonly TimeSpan CheckinInterval = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How long past a missed check-in the others wait before taking over its jobs: attempts of a dead node run again
    /// about 10 s after it died (docs/benchmarks.md §8). A node paused longer than this is taken for dead too; the
    /// workspace revision refuses what it writes when it wakes, so the price is a step run twice, never recorded twice.
    /// </summary>
    public static readonly TimeSpan CheckinMisfireThreshold = TimeSpan.FromSeconds(5);

    private const string Script = "Quartz.Impl.AdoJobStore.Schema.create_postgres.sql";

    // Quartz's default table prefix, QRTZ_, unquoted: PostgreSQL folds it to lower case, as Quartz's own queries are folded.
    private const string TablePrefix = "qrtz_";

    public async Task SeedAsync(ProvisioningDbContext db, CancellationToken cancellationToken)
    {
        string script;
        await using (var resource = typeof(Quartz.IScheduler).Assembly.GetManifestResourceStream(Script)
            ?? throw new InvalidOperationException($"Quartz.NET no longer ships {Script}."))
        using (var reader = new StreamReader(resource))
        {
            script = (await reader.ReadToEndAsync(cancellationToken)).Replace("{0}", TablePrefix, StringComparison.Ordinal).Replace("{1}", TablePrefix, StringComparison.Ordinal);
        }

        // The script's own statement separator is a line reading exactly "--;;"; each piece is one command.
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        foreach (var statement in Separator().Split(script).Select(s => s.Trim()).Where(s => s.Length > 0))
        {
            if (statement.Split('\n').All(line => line.TrimStart().StartsWith("--", StringComparison.Ordinal) || line.Trim().Length == 0))
            {
                continue;
            }

            await using var command = new NpgsqlCommand(statement, connection);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    [GeneratedRegex(@"^--;;\s*$", RegexOptions.Multiline)]
    private static partial Regex Separator();
}
