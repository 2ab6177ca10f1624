using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Provisioning.Core.Simulator;
using Provisioning.Core.Workspaces;

namespace Provisioning.Core.Persistence;

/// <summary>
/// The engine's hot saves on SQLite — a step ending and the next starting, the simulator's inventory changing —
/// written with SQL built once per shape instead of through EF Core's update pipeline, which generated and
/// batched every statement anew and was most of a step boundary's cost (docs/benchmarks.md §1). A save that only
/// changes workspace, attempt, step, resource and simulator rows and adds events, resources and simulator rows
/// takes this path; any other save (a new workspace, notifications and outbox emails, deletes) is EF Core's.
/// </summary>
/// <remarks>
/// It is a save interceptor registered after every other one, so the others have seen the save first (the
/// events to publish are recorded; the outbox has added its rows, which sends that save to EF Core), and it
/// suppresses EF Core's own write with the number of rows it wrote, after which EF Core runs the after-save steps
/// as usual. It writes on the context's own pooled connection, inside the write gate like every save, in one
/// transaction, events in the order their workspace recorded them. Parameters come from EF Core's type mappings,
/// so values are stored exactly as EF Core stores them.
/// </remarks>
public sealed class SqliteProgressWrites : SaveChangesInterceptor
{
    private static readonly HashSet<Type> Updated =
        [typeof(Workspace), typeof(ProvisioningAttempt), typeof(ProvisioningStep), typeof(Resource), typeof(SimulatedResource), typeof(SimulatedCapacity)];

    private static readonly HashSet<Type> Added = [typeof(WorkspaceEvent), typeof(Resource), typeof(SimulatedResource)];

    // Rows that are one table's plain columns; a type that gains complex or owned parts goes back to EF Core.
    private static readonly ConcurrentDictionary<IEntityType, bool> Flat = new();

    private readonly ConcurrentDictionary<(IEntityType Type, bool Insert, string Columns), Statement> _statements = new();
    private long _saves;
    private long _statementsRun;

    /// <summary>How many saves this path wrote (EF Core's command interceptors do not see them).</summary>
    public long Saves => Interlocked.Read(ref _saves);

    /// <summary>How many INSERT and UPDATE statements those saves ran.</summary>
    public long Statements => Interlocked.Read(ref _statementsRun);

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(
        DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        if (result.HasResult || eventData.Context is not SqliteProvisioningDbContext { AcceptsChangesOnSave: true } context
            || context.Database.CurrentTransaction is not null || Plan(context) is not { } entries)
        {
            return ValueTask.FromResult(result);
        }

        // SQLite does its work on the calling thread whichever way it is called; the write is synchronous.
        return ValueTask.FromResult(InterceptionResult<int>.SuppressWithResult(Write(context, entries)));
    }

    /// <summary>The entries to write, updates first, or null when the save is not one this path takes.</summary>
    private static List<EntityEntry>? Plan(DbContext context)
    {
        var updates = new List<EntityEntry>();
        var inserts = new List<EntityEntry>();
        foreach (var entry in context.ChangeTracker.Entries())
        {
            switch (entry.State)
            {
                case EntityState.Unchanged or EntityState.Detached:
                    continue;
                case EntityState.Modified when Updated.Contains(entry.Metadata.ClrType) && IsFlat(entry.Metadata):
                    updates.Add(entry);
                    continue;
                case EntityState.Added when Added.Contains(entry.Metadata.ClrType) && IsFlat(entry.Metadata):
                    inserts.Add(entry);
                    continue;
                default:
                    return null;
            }
        }

        if (updates.Count + inserts.Count == 0)
        {
            return null;
        }

        // Events in the order their workspace recorded them: their sequence is the timeline's order. An event
        // added some other way has no recorded place, so EF Core writes that save.
        var recorded = new Dictionary<WorkspaceEvent, int>(ReferenceEqualityComparer.Instance);
        foreach (var workspace in context.ChangeTracker.Entries<Workspace>())
        {
            foreach (var pending in workspace.Entity.PendingEvents)
            {
                recorded[pending] = recorded.Count;
            }
        }

        var events = inserts.Where(e => e.Entity is WorkspaceEvent).ToList();
        if (events.Any(e => !recorded.ContainsKey((WorkspaceEvent)e.Entity)))
        {
            return null;
        }

        // Parents before children: updated rows exist already; added resources and events point at them.
        updates.AddRange(inserts.Where(e => e.Entity is not WorkspaceEvent));
        updates.AddRange(events.OrderBy(e => recorded[(WorkspaceEvent)e.Entity]));
        return updates;
    }

    private static bool IsFlat(IEntityType type) =>
        Flat.GetOrAdd(type, t => !t.GetComplexProperties().Any() && !t.GetNavigations().Any(n => n.TargetEntityType.IsOwned()) && !t.IsOwned()
            && t.FindPrimaryKey() is { Properties.Count: 1 });

    private int Write(DbContext context, List<EntityEntry> entries)
    {
        // Opened here rather than through EF Core, whose open and close bookkeeping cost more than the pool itself.
        var connection = (SqliteConnection)context.Database.GetDbConnection();
        var opened = connection.State != System.Data.ConnectionState.Open;
        try
        {
            if (opened)
            {
                connection.Open();
                SqlitePragmas.EnsureApplied(connection);
            }

            var generated = new List<(EntityEntry Entry, IProperty Key, long Value)>();
            using (var transaction = connection.BeginTransaction())
            {
                foreach (var entry in entries)
                {
                    var (affected, key, value) = Execute(connection, transaction, entry);
                    if (affected != 1)
                    {
                        throw new DbUpdateConcurrencyException(
                            $"The {entry.Metadata.GetTableName()} row to update was not found; it was changed or deleted since it was read.");
                    }

                    if (key is not null)
                    {
                        generated.Add((entry, key, value));
                    }
                }

                transaction.Commit();
            }

            foreach (var (entry, key, value) in generated)
            {
                entry.Property(key.Name).CurrentValue = value;
            }

            context.ChangeTracker.AcceptAllChanges();
            Interlocked.Increment(ref _saves);
            return entries.Count;
        }
        catch (SqliteException e)
        {
            throw new DbUpdateException($"Saving the workspace's progress failed: {e.Message}", e);
        }
        finally
        {
            if (opened)
            {
                connection.Close();
            }
        }
    }

    private (int Affected, IProperty? Key, long Value) Execute(SqliteConnection connection, SqliteTransaction transaction, EntityEntry entry)
    {
        var statement = StatementFor(entry);
        if (statement is null)
        {
            return (1, null, 0);
        }

        Interlocked.Increment(ref _statementsRun);
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = statement.Sql;
        var values = entry.CurrentValues;
        for (var i = 0; i < statement.Properties.Length; i++)
        {
            var property = statement.Properties[i];
            // A concurrency token is compared with the value read, as EF Core does: the row must not have moved on since.
            var value = i >= statement.Properties.Length - statement.Tokens ? entry.OriginalValues[property] : values[property];
            command.Parameters.Add(statement.Mappings[i].CreateParameter(command, statement.Names[i], value, property.IsNullable));
        }

        return statement.GeneratedKey is { } key
            ? (1, key, (long)command.ExecuteScalar()!)
            : (command.ExecuteNonQuery(), null, 0);
    }

    /// <summary>An insert of every column, or an update of the modified ones (SQLite rewrites the index entries of every column it sets).</summary>
    private Statement? StatementFor(EntityEntry entry)
    {
        var type = entry.Metadata;
        var insert = entry.State == EntityState.Added;
        var key = type.FindPrimaryKey()!.Properties.Single();
        var generatedKey = insert && key.ValueGenerated == ValueGenerated.OnAdd ? key : null;
        IProperty[] tokens = insert ? [] : [.. type.GetProperties().Where(p => p.IsConcurrencyToken)];
        IProperty[] properties = insert
            ? [.. type.GetProperties().Where(p => p != generatedKey)]
            : [.. type.GetProperties().Where(p => p != key && entry.Property(p).IsModified), key, .. tokens];
        if (!insert && properties.Length == 1 + tokens.Length)
        {
            return null;
        }

        var shape = string.Join(",", properties.Select(p => p.Name));
        return _statements.GetOrAdd((type, insert, shape), _ => Build(type, insert, properties, key, generatedKey, tokens.Length));
    }

    /// <summary>An insert, or an update whose parameters are the columns set, then the key, then the concurrency tokens' read values.</summary>
    private static Statement Build(IEntityType type, bool insert, IProperty[] properties, IProperty key, IProperty? generatedKey, int tokens)
    {
        var table = type.GetTableName()!;
        var store = StoreObjectIdentifier.Table(table, type.GetSchema());
        string Column(IProperty p) => $"\"{p.GetColumnName(store)}\"";
        string[] names = [.. properties.Select((_, i) => $"@p{i}")];
        var sql = insert
            ? $"INSERT INTO \"{table}\" ({string.Join(", ", properties.Select(Column))}) VALUES ({string.Join(", ", names)})"
              + (generatedKey is null ? ";" : $" RETURNING {Column(generatedKey)};")
            : $"UPDATE \"{table}\" SET {string.Join(", ", properties[..^(tokens + 1)].Select((p, i) => $"{Column(p)} = {names[i]}"))} "
              + $"WHERE {string.Join(" AND ", properties[^(tokens + 1)..].Select((p, i) => $"{Column(p)} = {names[properties.Length - tokens - 1 + i]}"))};";
        return new Statement(sql, properties, names, [.. properties.Select(p => (RelationalTypeMapping)p.GetRelationalTypeMapping())], generatedKey, tokens);
    }

    private sealed record Statement(
        string Sql, IProperty[] Properties, string[] Names, RelationalTypeMapping[] Mappings, IProperty? GeneratedKey, int Tokens);
}
