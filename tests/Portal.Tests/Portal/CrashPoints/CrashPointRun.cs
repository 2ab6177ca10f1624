using System.Text.Json;
using System.Text.RegularExpressions;
using Portal.Tests.TestInfrastructure;
using Provisioning.Core.Persistence;

namespace Portal.Tests.Portal.CrashPoints;

/// <summary>One hold: the workspace, the commit it was held after, and what that commit wrote.</summary>
public sealed record HoldLine(string Name, Guid WorkspaceId, int Commit, string Events);

/// <summary>
/// The machinery of the crash-point tests (ADR-009): the real portal as a child process on one data directory (and,
/// on PostgreSQL, one database of the test run's server),
/// started with the commit hold on (<c>Testing:HoldAfterCommit=hold-</c>) for the life that is stopped and without
/// it for the life after; waiting for its holds and for workspaces to reach a state, through the API.
/// </summary>
public sealed partial class CrashPointRun(DatabaseProvider provider) : IAsyncDisposable
{
    public const string HoldPrefix = "hold-";

    private static readonly TimeSpan HealthDeadline = TimeSpan.FromSeconds(90);

    private readonly string _dataDirectory = TestPaths.NewDataDirectory();
    private readonly List<CrashPortalProcess> _portals = [];
    private readonly List<PortalApiClient> _clients = [];
    private string? _postgresDatabase;

    public string DataDirectory => _dataDirectory;

    public ServerErrorCounter ServerErrors { get; } = new();

    /// <summary>The holds the stopped life reported, by workspace name.</summary>
    public Dictionary<string, HoldLine> Holds { get; } = new(StringComparer.Ordinal);

    /// <summary>How each workspace ended after the restart, by name.</summary>
    public Dictionary<string, WorkspaceSnapshot> Ended { get; } = new(StringComparer.Ordinal);

    /// <summary>How each workspace ended after the retry that followed, by name.</summary>
    public Dictionary<string, WorkspaceSnapshot> AfterRetry { get; } = new(StringComparer.Ordinal);

    public static string HoldName(int commit, string story) => $"{HoldPrefix}{commit:D2}-{story}";

    /// <summary>Starts the portal on this run's data, with the commit hold on or off, and signs in.</summary>
    public async Task<(CrashPortalProcess Portal, PortalApiClient Api)> StartAsync(
        bool hold, string logName, CancellationToken cancellationToken, IReadOnlyDictionary<string, string>? settings = null)
    {
        var environment = new Dictionary<string, string>
        {
            ["Simulator__ReadinessDelay"] = "00:00:00.100",
            ["Simulator__Capacity__Cpu"] = "1000",
            ["Simulator__Capacity__MemoryGb"] = "4000",
        };
        if (provider == DatabaseProvider.Postgres)
        {
            _postgresDatabase ??= await PostgresServer.CreateDatabaseAsync(cancellationToken);
            environment["Database__Provider"] = "Postgres";
            environment["ConnectionStrings__Portal"] = _postgresDatabase;
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }

        if (hold)
        {
            environment[CommitHold.Setting.Replace(":", "__", StringComparison.Ordinal)] = HoldPrefix;
        }

        var portal = await CrashPortalProcess.StartHealthyAsync(_dataDirectory, logName, environment, HealthDeadline, cancellationToken);
        _portals.Add(portal);
        var api = await PortalApiClient.SignInAsync(portal.BaseAddress, ServerErrors, cancellationToken);
        _clients.Add(api);
        return (portal, api);
    }

    /// <summary>Waits for the holds of these workspaces and records them.</summary>
    public async Task WaitForHoldsAsync(CrashPortalProcess portal, IReadOnlyCollection<string> names, CancellationToken cancellationToken)
    {
        var wanted = names.ToHashSet(StringComparer.Ordinal);
        var lines = await portal.WaitForLinesAsync(
            line => HoldPattern().Match(line) is { Success: true } m && wanted.Contains(m.Groups["name"].Value), wanted.Count, TimeSpan.FromSeconds(90), cancellationToken);
        foreach (var line in lines)
        {
            var m = HoldPattern().Match(line);
            Holds[m.Groups["name"].Value] = new HoldLine(m.Groups["name"].Value, Guid.Parse(m.Groups["id"].Value), int.Parse(m.Groups["commit"].Value,
                System.Globalization.CultureInfo.InvariantCulture), m.Groups["events"].Value.Trim());
        }
    }

    /// <summary>Polls the workspaces until every one satisfies <paramref name="done"/>; returns their details.</summary>
    public static async Task<Dictionary<Guid, JsonElement>> WaitUntilAsync(
        PortalApiClient api, IReadOnlyCollection<Guid> ids, Func<JsonElement, bool> done, string what, CancellationToken cancellationToken,
        TimeSpan? deadline = null)
    {
        var limit = deadline ?? TimeSpan.FromSeconds(120);
        var started = TimeProvider.System.GetTimestamp();
        while (true)
        {
            var details = new Dictionary<Guid, JsonElement>();
            foreach (var id in ids)
            {
                details[id] = await api.WorkspaceAsync(id, cancellationToken);
            }

            var waiting = details.Values.Where(d => !done(d)).ToList();
            if (waiting.Count == 0)
            {
                return details;
            }

            if (TimeProvider.System.GetElapsedTime(started) > limit)
            {
                throw new TimeoutException($"{waiting.Count} of {ids.Count} workspaces not {what} within {limit.TotalSeconds} s:\n" +
                    string.Join("\n", waiting.Take(5).Select(d => $"{d.Str("name")}: {d.Str("status")}")));
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), TimeProvider.System, cancellationToken);
        }
    }

    public static bool IsTerminal(JsonElement detail) => detail.Str("status") is "ready" or "error" or "deleted";

    /// <summary>Reads each workspace as it ended into <paramref name="into"/>.</summary>
    public static async Task SnapshotAsync(
        PortalApiClient api, IReadOnlyDictionary<string, Guid> ids, Dictionary<string, WorkspaceSnapshot> into, CancellationToken cancellationToken)
    {
        var inventory = await api.InventoryAsync(cancellationToken);
        var outbox = await api.OutboxAsync(cancellationToken);
        foreach (var (name, id) in ids)
        {
            into[name] = await WorkspaceSnapshot.ReadAsync(api, id, inventory, outbox, cancellationToken);
        }
    }

    /// <summary>Clears the faults, retries every workspace (each must be accepted) and records how each ends in <see cref="AfterRetry"/>.</summary>
    public async Task RetryAllAsync(PortalApiClient api, IReadOnlyDictionary<string, Guid> ids, CancellationToken cancellationToken)
    {
        await api.ClearFaultsAsync(cancellationToken);
        foreach (var (name, id) in ids)
        {
            (await api.RetryAsync(id, cancellationToken)).ShouldBe(System.Net.HttpStatusCode.Accepted, $"retry of {name}");
        }

        await WaitUntilAsync(api, [.. ids.Values], IsTerminal, "ended after the retry", cancellationToken);
        await SnapshotAsync(api, ids, AfterRetry, cancellationToken);
    }

    /// <summary>Whether the workspace's tenant database exists: a file in the data directory, or a database on the server.</summary>
    public async Task<bool> TenantDatabaseExistsAsync(Guid workspaceId) => provider == DatabaseProvider.Postgres
        ? await PostgresServer.DatabaseExistsAsync($"ws_{workspaceId:N}")
        : File.Exists(Path.Combine(DataDirectory, "tenant-databases", $"{workspaceId:N}.db"));

    /// <summary>The tail of every life's log, for failure messages.</summary>
    public string Logs(int lines = 40) => string.Join("\n", _portals.Select(p => p.Tail(lines)).Distinct());

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }

        foreach (var portal in _portals)
        {
            await portal.DisposeAsync();
        }

        if (_postgresDatabase is not null)
        {
            await PostgresServer.DropDatabaseAsync(_postgresDatabase);
        }
    }

    [GeneratedRegex(@"Holding workspace (?<name>\S+) \((?<id>[0-9a-f-]{36})\) after its commit (?<commit>\d+): (?<events>.*)$")]
    private static partial Regex HoldPattern();
}
