using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Portal.DemoData;
using Provisioning.Core.Engine;
using Provisioning.Core.Persistence;
using Provisioning.Core.Scheduling;
using Provisioning.Core.Simulator;
using Provisioning.Core.Workspaces;

namespace Portal.Tests.TestInfrastructure;

/// <summary>Collects the workspaces handed to the scheduler; the tests run them with the engine themselves.</summary>
public sealed class RecordingAttemptQueue : IAttemptQueue
{
    private readonly List<Guid> _enqueued = [];

    public IReadOnlyList<Guid> Enqueued
    {
        get
        {
            lock (_enqueued)
            {
                return [.. _enqueued];
            }
        }
    }

    public Task EnqueueAsync(Guid workspaceId, CancellationToken cancellationToken)
    {
        lock (_enqueued)
        {
            _enqueued.Add(workspaceId);
        }

        return Task.CompletedTask;
    }
}

/// <summary>
/// The provisioning services on a real SQLite file in a fresh data directory (or a database of its own on the test
/// run's PostgreSQL server, <see cref="PostgresServer"/>), with the demo releases, time driven by the test and the scheduler replaced by the test calling the engine directly.
/// </summary>
public sealed class ProvisioningHarness : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private readonly string? _postgresDatabase;

    private ProvisioningHarness(
        ServiceProvider services, string dataDirectory, SteppingTimeProvider time, RecordingAttemptQueue queue, CapturedLogs logs, string? postgresDatabase)
    {
        _services = services;
        _postgresDatabase = postgresDatabase;
        DataDirectory = dataDirectory;
        Time = time;
        Queue = queue;
        Logs = logs;
    }

    public string DataDirectory { get; }

    public SteppingTimeProvider Time { get; }

    public RecordingAttemptQueue Queue { get; }

    public CapturedLogs Logs { get; }

    public IServiceProvider Services => _services;

    public ProvisioningEngine Engine => _services.GetRequiredService<ProvisioningEngine>();

    public ProvisioningRequests Requests => _services.GetRequiredService<ProvisioningRequests>();

    public SimulatedInfrastructure Simulator => _services.GetRequiredService<SimulatedInfrastructure>();

    /// <param name="services">Services of the test's own (an interceptor, say), registered after the portal's.</param>
    public static async Task<ProvisioningHarness> StartAsync(
        IDictionary<string, string?>? settings = null, DatabaseProvider provider = DatabaseProvider.Sqlite, Action<IServiceCollection>? services = null)
    {
        var dataDirectory = TestPaths.NewDataDirectory();
        var postgresDatabase = provider == DatabaseProvider.Postgres ? await PostgresServer.CreateDatabaseAsync() : null;
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            DisableDefaults = true,
            ContentRootPath = dataDirectory,
            EnvironmentName = "Test",
        });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Portal:DataDirectory"] = dataDirectory,
            ["Simulator:ReadinessDelay"] = "00:00:00",
            ["Provisioning:StepTimeout"] = "02:00:00",
            ["Database:Provider"] = provider.ToString(),
            ["ConnectionStrings:Portal"] = postgresDatabase,
        });
        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }

        var time = new SteppingTimeProvider(new DateTimeOffset(2026, 11, 28, 9, 0, 0, TimeSpan.Zero));
        var queue = new RecordingAttemptQueue();
        var logs = new CapturedLogs();
        builder.Logging.AddProvider(logs);
        builder.AddProvisioning();
        builder.Services.AddSingleton<TimeProvider>(time);
        builder.Services.AddSingleton<IAttemptQueue>(queue);
        builder.Services.AddSingleton<IStartupSeeder, DemoDataSeeder>();
        services?.Invoke(builder.Services);

        var built = (ServiceProvider)builder.Build().Services;
        var harness = new ProvisioningHarness(built, dataDirectory, time, queue, logs, postgresDatabase);
        built.ValidateProvisioningConfiguration();
        await built.GetServices<IHostedService>().OfType<ProvisioningStartup>().Single().StartAsync(CancellationToken.None);
        return harness;
    }

    public async Task<Workspace> CreateAsync(string releaseId, WorkspaceSize? size = null, string tenant = "acme", string name = "ws")
    {
        var result = await Requests.CreateAsync(new CreateWorkspace(tenant, "member@acme.test", $"{name}-{Guid.NewGuid():N}"[..20], releaseId, size?.Cpu, size?.MemoryGb), CancellationToken.None);
        return result.Workspace ?? throw new InvalidOperationException($"Workspace not created: {result.Refusal}.");
    }

    /// <summary>A release <c>name@1.0.0</c> of <paramref name="template"/>, with no artifact published.</summary>
    public async Task AddReleaseAsync(string name, string template, int cpu = 1, int memoryGb = 2)
    {
        await using var db = await DbAsync();
        db.Releases.Add(new Provisioning.Core.Releases.Release(name, "1.0.0", template, $"{name}-1.0.0.tar.gz", new string('0', 64), cpu, memoryGb));
        await db.SaveChangesAsync();
    }

    /// <summary>Runs the workspace's active attempt to its end, advancing fake time through every wait.</summary>
    public Task<IReadOnlyList<TimeSpan>> RunAsync(Guid workspaceId) =>
        Time.DriveAsync(Engine.RunAsync(workspaceId, CancellationToken.None));

    public async Task<ProvisioningDbContext> DbAsync() =>
        await _services.GetRequiredService<IDbContextFactory<ProvisioningDbContext>>().CreateDbContextAsync();

    public async Task<Workspace> LoadAsync(Guid workspaceId)
    {
        await using var db = await DbAsync();
        return (await db.LoadWorkspaceAsync(workspaceId, CancellationToken.None))!;
    }

    public async Task<IReadOnlyList<WorkspaceEvent>> EventsAsync(Guid workspaceId)
    {
        await using var db = await DbAsync();
        return await db.Events.Where(e => e.WorkspaceId == workspaceId).OrderBy(e => e.Sequence).ToListAsync();
    }

    public async Task<IReadOnlyList<Resource>> ResourcesAsync(Guid workspaceId)
    {
        await using var db = await DbAsync();
        return await db.Resources.Where(r => r.WorkspaceId == workspaceId).ToListAsync();
    }

    public async Task<IReadOnlyList<SimulatedResource>> ActiveInventoryAsync(Guid workspaceId) =>
        (await Simulator.InventoryAsync(CancellationToken.None)).Where(r => r.WorkspaceId == workspaceId && r.IsActive).ToList();

    public Task AddFaultAsync(string step, string? code, int? times = null, FaultPhase on = FaultPhase.Execute, int latencyMs = 0) =>
        Simulator.AddFaultAsync(new SimulatedFault
        {
            Step = step,
            Code = code,
            Remaining = times,
            On = on,
            LatencyMs = latencyMs,
            CreatedAt = Time.GetUtcNow(),
        }, CancellationToken.None);

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (_postgresDatabase is not null)
        {
            await PostgresServer.DropDatabaseAsync(_postgresDatabase);
        }

        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open is left to the OS's temp cleanup.
        }
    }
}
