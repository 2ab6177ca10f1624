using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Provisioning.Core;
using Provisioning.Core.Engine;
using Provisioning.Core.Infrastructure;
using Provisioning.Core.Infrastructure.Vsphere;
using Provisioning.Core.Notifications;
using Provisioning.Core.Persistence;
using Provisioning.Core.Releases;
using Provisioning.Core.Scheduling;
using Provisioning.Core.Simulator;
using Provisioning.Core.Steps;
using Provisioning.Core.Steps.Commands;
using Provisioning.Core.Steps.Http;
using Provisioning.Core.Steps.Logs;
using Provisioning.Core.Templates;
using Provisioning.Core.Steps.App;
using Provisioning.Core.Steps.Vm;
using Provisioning.Core.TenantDatabases;
using Provisioning.Core.Workspaces;
using Quartz;

namespace Microsoft.Extensions.DependencyInjection;

public static class ProvisioningServiceCollectionExtensions
{
    /// <summary>
    /// The provisioning engine and everything it stands on: the portal database, the release store,
    /// tenant databases, the simulated infrastructure and the Quartz scheduler that runs attempts.
    /// </summary>
    public static IHostApplicationBuilder AddProvisioning(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        var configuration = builder.Configuration;

        services.AddOptions<ProvisioningOptions>().BindConfiguration(ProvisioningOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<SimulatorOptions>().BindConfiguration(SimulatorOptions.Section).ValidateDataAnnotations().ValidateOnStart();

        var dataDirectory = new DataDirectory(Path.Combine(builder.Environment.ContentRootPath, configuration["Portal:DataDirectory"] is { Length: > 0 } dir ? dir : "data"));
        services.AddSingleton(dataDirectory);
        services.TryAddSingleton(TimeProvider.System);

        var database = services.AddPortalDatabase(configuration, dataDirectory);
        services.AddWhereStateLives(configuration, database, dataDirectory);
        services.AddSingleton<ReleaseCatalog>();
        services.AddSingleton<TenantDatabaseAllocator>();
        services.AddSingleton<SimulatedInfrastructure>();
        services.AddSingleton<IFaultInjector>(sp => sp.GetRequiredService<SimulatedInfrastructure>());
        // The built-in steps' ports; the simulator is the adapter until a real one is configured.
        services.AddOptions<VsphereOptions>().BindConfiguration(VsphereOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        if (configuration[$"{VsphereOptions.Section}:{nameof(VsphereOptions.Url)}"] is { Length: > 0 })
        {
            services.AddVsphere();
        }
        else
        {
            services.AddSingleton<ICompute>(sp => sp.GetRequiredService<SimulatedInfrastructure>());
            services.AddSingleton<INetwork>(sp => sp.GetRequiredService<SimulatedInfrastructure>());
        }

        services.AddSingleton<IRuntime>(sp => sp.GetRequiredService<SimulatedInfrastructure>());
        services.AddSingleton<IServiceRegistry>(sp => sp.GetRequiredService<SimulatedInfrastructure>());
        services.AddSingleton<Readiness>();
        services.AddProvisioningSteps();
        services.AddOptions<TemplateOptions>().BindConfiguration(TemplateOptions.Section);
        services.AddSingleton<TemplateCatalog>();
        services.AddOptions<StepLogOptions>().BindConfiguration(StepLogOptions.Section)
            .Validate(o => o.MaxLinesPerStep is >= 10 and <= 1_000_000, "Provisioning:Logs:MaxLinesPerStep must be between 10 and 1000000.")
            .ValidateOnStart();
        services.AddSingleton<IStepLog, PersistedStepLog>();
        services.AddSingleton<CommandRunner>();
        services.AddSingleton<StepOutputStore>();
        services.AddHttpClient(HttpStep.ClientName, client => client.Timeout = Timeout.InfiniteTimeSpan);
        services.AddSingleton<Func<TemplateStep, HttpAction, HttpStep>>(sp => (step, action) => new HttpStep(
            step, action, sp.GetRequiredService<IHttpClientFactory>(), sp.GetRequiredService<IConfiguration>(), sp.GetRequiredService<IStepLog>(),
            sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<StepCatalog>();
        services.AddSingleton<StepRetryPolicy>();
        services.AddSingleton<ProvisioningEngine>();
        services.AddSingleton<OrphanedResources>();
        services.AddSingleton<ProvisioningRequests>();
        services.AddSingleton<WorkspaceDetailCache>();
        services.AddSingleton<WorkspaceQueries>();
        services.AddSingleton<IWorkspaceUpdates, InProcessWorkspaceUpdates>();
        services.AddSingleton<ISaveChangesInterceptor, PublishCommittedEvents>();

        services.AddNotifications();
        services.AddCommitHold(configuration);
        services.AddSingleton<ProvisioningReadiness>();

        // Start-up work runs before any other hosted service (they start in registration order): before Quartz, and
        // before Data Protection loads its key ring, which on PostgreSQL lives in a table the migrations create.
        services.Insert(0, ServiceDescriptor.Singleton<IHostedService, ProvisioningStartup>());
        services.AddProvisioningScheduler(dataDirectory, configuration, database);
        return builder;
    }

    /// <summary>
    /// Reads every provisioning setting and checks the data directory, so bad configuration stops start-up
    /// with one message that names the setting (throws <see cref="InvalidConfigurationException"/>).
    /// </summary>
    public static void ValidateProvisioningConfiguration(this IServiceProvider services) => InvalidConfigurationException.Check(() =>
    {
        _ = services.GetRequiredService<IOptions<ProvisioningOptions>>().Value;
        _ = services.GetRequiredService<IOptions<SimulatorOptions>>().Value;
        _ = services.GetRequiredService<IOptions<MailOptions>>().Value;
        _ = services.GetRequiredService<IOptions<PortalLinkOptions>>().Value;
        _ = services.GetRequiredService<IOptions<StepLogOptions>>().Value;
        _ = services.GetRequiredService<IOptions<VsphereOptions>>().Value;
        services.GetRequiredService<DataDirectory>().EnsureWritable();
        // Reads every template file: one that is broken stops the start here, naming the file, line and rule.
        _ = services.GetRequiredService<StepCatalog>();
    });

    /// <summary>
    /// What one node keeps to itself on SQLite and every node shares on PostgreSQL (ADR-010): Data Protection keys,
    /// release artifacts, tenant databases, and the other nodes' events. The one place these choices are made; the
    /// simulator's inventory (ADR-007) and the scheduler's store are chosen beside their own registrations.
    /// </summary>
    private static void AddWhereStateLives(this IServiceCollection services, IConfiguration configuration, PortalDatabase database, DataDirectory dataDirectory)
    {
        var dataProtection = services.AddDataProtection().SetApplicationName("ProvisioningPortal");
        if (database.Provider != DatabaseProvider.Postgres)
        {
            dataProtection.PersistKeysToFileSystem(new DirectoryInfo(dataDirectory.Keys));
            services.AddSingleton<IReleaseStore, FileReleaseStore>();
            services.AddSingleton<ITenantDatabaseServer>(new SqliteTenantDatabaseServer(dataDirectory));
            return;
        }

        services.AddOptions<KeyManagementOptions>().Configure<IDbContextFactory<ProvisioningDbContext>>(
            (keys, dbFactory) => keys.XmlRepository = new DatabaseKeyRing(dbFactory));
        services.AddSingleton<IReleaseStore, DatabaseReleaseStore>();
        services.AddSingleton<ITenantDatabaseServer>(new PostgresTenantDatabaseServer(
            configuration.GetConnectionString("TenantServer") is { Length: > 0 } tenantServer
                ? PortalDatabase.CheckPostgresConnectionString(tenantServer, "ConnectionStrings:TenantServer")
                : database.ConnectionString));
        // Events committed by other nodes reach this node's pages and caches.
        services.AddSingleton<PostgresWorkspaceEventListener>();
        services.AddHostedService(sp => sp.GetRequiredService<PostgresWorkspaceEventListener>());
    }

    /// <summary>The crash-point tests' hook (<see cref="CommitHold"/>), only when a test sets <c>Testing:HoldAfterCommit</c>; after the other save interceptors.</summary>
    private static void AddCommitHold(this IServiceCollection services, IConfiguration configuration)
    {
        if (configuration[CommitHold.Setting] is { Length: > 0 } prefix)
        {
            services.AddSingleton(sp => new CommitHold(prefix, sp.GetRequiredService<IHostApplicationLifetime>(), sp.GetRequiredService<ILogger<CommitHold>>()));
            services.AddSingleton<ISaveChangesInterceptor>(sp => sp.GetRequiredService<CommitHold>());
        }
    }

    /// <summary>
    /// Opens the portal database once before anything starts (PostgreSQL): an unreachable server, a wrong password or a
    /// missing database stops start-up with one line naming the server and what failed
    /// (throws <see cref="DatabaseUnavailableException"/>).
    /// </summary>
    public static Task CheckPortalDatabaseAsync(this IServiceProvider services, CancellationToken cancellationToken = default) =>
        services.GetRequiredService<PortalDatabase>().CheckReachableAsync(services.GetRequiredService<IDbContextFactory<ProvisioningDbContext>>(), cancellationToken);

    /// <summary>The VM steps' compute and network on vSphere (<c>Infrastructure:Vsphere:Url</c>): one session per node.</summary>
    private static void AddVsphere(this IServiceCollection services)
    {
        services.AddSingleton(sp =>
        {
            var vsphere = sp.GetRequiredService<IOptions<VsphereOptions>>().Value;
            return new VimClient(new Uri(vsphere.Url!), vsphere.Username!, vsphere.Password!, vsphere.Thumbprint, vsphere.RequestTimeout,
                sp.GetRequiredService<ILogger<VimClient>>());
        });
        services.AddSingleton<VsphereInfrastructure>();
        services.AddSingleton<ICompute>(sp => sp.GetRequiredService<VsphereInfrastructure>());
        services.AddSingleton<INetwork>(sp => sp.GetRequiredService<VsphereInfrastructure>());
    }

    private static void AddProvisioningSteps(this IServiceCollection services)
    {
        services.AddSingleton<FetchReleaseStep>();
        services.AddSingleton<IProvisioningStep>(sp => sp.GetRequiredService<FetchReleaseStep>());
        services.AddSingleton<IProvisioningStep, CreateTenantDatabaseStep>();
        services.AddSingleton<IProvisioningStep, CreateTenantSchemaStep>();
        services.AddSingleton<IProvisioningStep, RegisterServicesStep>();
        services.AddSingleton<IProvisioningStep, GenerateApiKeysStep>();
        services.AddSingleton<IProvisioningStep, StartRuntimeStep>();
        services.AddSingleton<IProvisioningStep, VerifyServicesStep>();
        services.AddSingleton<IProvisioningStep, ValidateRequestStep>();
        services.AddSingleton<IProvisioningStep, CloneVmStep>();
        services.AddSingleton<IProvisioningStep, ConfigureNetworkStep>();
        services.AddSingleton<IProvisioningStep, PowerOnStep>();
        services.AddSingleton<IProvisioningStep, WaitForGuestToolsStep>();
    }

    private static PortalDatabase AddPortalDatabase(this IServiceCollection services, IConfiguration configuration, DataDirectory dataDirectory)
    {
        var provider = configuration[$"{DatabaseOptions.Section}:Provider"] is { Length: > 0 } p ? p : nameof(DatabaseProvider.Sqlite);
        if (!Enum.TryParse<DatabaseProvider>(provider, ignoreCase: true, out var parsed))
        {
            throw new InvalidConfigurationException($"Database:Provider '{provider}' is unknown; use Sqlite or Postgres.");
        }

        var configured = configuration.GetConnectionString("Portal");
        if (parsed == DatabaseProvider.Postgres)
        {
            var postgres = new PortalDatabase(parsed, PortalDatabase.CheckPostgresConnectionString(configured));
            services.AddSingleton(postgres);
            AddPostgres(services, postgres.ConnectionString);
            return postgres;
        }

        var database = new PortalDatabase(parsed, string.IsNullOrEmpty(configured)
            ? new SqliteConnectionStringBuilder { DataSource = dataDirectory.PortalDatabase }.ToString()
            : PortalDatabase.CheckSqliteConnectionString(configured));
        services.AddSingleton(database);
        // Features join a save through interceptors (ISaveChangesInterceptor in DI): what they add before the
        // save commits with it (the outbox), what they do after sees committed events (live updates).
        services.AddPooledDbContextFactory<SqliteProvisioningDbContext>((sp, options) => options
            .UseSqlite(database.ConnectionString)
            .AddInterceptors(new SqlitePragmas())
            .AddInterceptors(sp.GetServices<ISaveChangesInterceptor>())
            .AddInterceptors(sp.GetRequiredService<SqliteProgressWrites>()));
        // Last of the save interceptors: the others see every save before it may take over the write.
        services.AddSingleton<SqliteProgressWrites>();
        services.AddSingleton<IDbContextFactory<ProvisioningDbContext>, ProvisioningDbContextFactory<SqliteProvisioningDbContext>>();
        return database;
    }

    /// <summary>EF Core's own write path on PostgreSQL: the SQLite write gate and progress writer are SQLite's answers to SQLite's limits.</summary>
    private static void AddPostgres(IServiceCollection services, string connectionString)
    {
        // The engine runs a handful of statement shapes over and over: prepared once per connection, PostgreSQL stops
        // parsing and planning them at every step boundary (docs/benchmarks.md §7: a third more transitions/s at 16).
        var npgsql = new NpgsqlConnectionStringBuilder(connectionString);
        if (npgsql.MaxAutoPrepare == 0)
        {
            npgsql.MaxAutoPrepare = 64;
            npgsql.AutoPrepareMinUsages = 2;
        }

        var prepared = npgsql.ToString();
        services.AddPooledDbContextFactory<PostgresProvisioningDbContext>((sp, options) => options
            .UseNpgsql(prepared)
            .AddInterceptors(sp.GetServices<ISaveChangesInterceptor>()));
        services.AddSingleton<IDbContextFactory<ProvisioningDbContext>, ProvisioningDbContextFactory<PostgresProvisioningDbContext>>();
    }

    private static void AddProvisioningScheduler(this IServiceCollection services, DataDirectory dataDirectory, IConfiguration configuration, PortalDatabase database)
    {
        var maxConcurrency = configuration.GetValue($"{ProvisioningOptions.Section}:{nameof(ProvisioningOptions.MaxConcurrentAttempts)}", 2000);
        services.AddSingleton<IAttemptQueue, QuartzAttemptQueue>();
        if (database.Provider == DatabaseProvider.Postgres)
        {
            // Created at start under the portal's advisory lock, so nodes starting together do not race to create it.
            services.AddSingleton<IStartupSeeder, QuartzPostgresSchema>();
        }

        services.AddQuartz(quartz =>
        {
            // Waiting attempts hold a timer, not a thread, so many may run at once.
            quartz.UseDefaultThreadPool(pool => pool.MaxConcurrency = Math.Max(1, maxConcurrency));
            quartz.AddOutboxDelivery();
            quartz.UsePersistentStore(store =>
            {
                store.UseSystemTextJsonSerializer();
                if (database.Provider == DatabaseProvider.Postgres)
                {
                    // One scheduler across every node on the database: a job runs on one node at a time, and the jobs of
                    // a node that stops checking in are recovered by another (RunAttemptJob requests recovery). Clustering
                    // gives each node an instance id of its own.
                    store.UsePostgres(database.ConnectionString);
                    store.UseClustering(cluster =>
                    {
                        cluster.CheckinInterval = QuartzPostgresSchema.CheckinInterval;
                        cluster.CheckinMisfireThreshold = QuartzPostgresSchema.CheckinMisfireThreshold;
                    });
                    return;
                }

                // Its own file: the scheduler's writes never queue behind the engine's.
                store.UseSqlite(new SqliteConnectionStringBuilder { DataSource = dataDirectory.SchedulerDatabase }.ToString());
                store.ProvisionSchema();
            });
        });
        // Stopping cancels every running attempt (RunAttemptJob links ApplicationStopping): waiting lets each one
        // leave its last commit whole before the process exits, within the host's shutdown timeout.
        services.AddQuartzHostedService(options => options.WaitForJobsToComplete = true);
    }

    /// <summary>Hands out the provider's context as the provider-neutral one.</summary>
    private sealed class ProvisioningDbContextFactory<TContext>(IDbContextFactory<TContext> inner) : IDbContextFactory<ProvisioningDbContext>
        where TContext : ProvisioningDbContext
    {
        public ProvisioningDbContext CreateDbContext()
        {
            var db = inner.CreateDbContext();
            db.TenantScope = null;
            return db;
        }

        public async Task<ProvisioningDbContext> CreateDbContextAsync(CancellationToken cancellationToken = default)
        {
            // Pooled contexts come back with whatever scope they had: the platform's own work sees everything.
            var db = await inner.CreateDbContextAsync(cancellationToken);
            db.TenantScope = null;
            return db;
        }
    }
}
