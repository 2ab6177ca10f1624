using System.Diagnostics;
using Npgsql;

namespace Portal.Tests.TestInfrastructure;

/// <summary>
/// One real PostgreSQL server for the whole test run, and a database of its own for each test. Started on first use
/// from Debian's <c>postgresql</c> package (scripts/test.sh installs it): <c>initdb</c> into a temporary folder,
/// stopped when the run ends. It listens on a Unix socket in that folder only, never on a TCP port: a port probed
/// free can still be taken by another test's reserved one (the SMTP tests keep theirs bound, not listening), and two
/// servers on one port answer each other's clients. <c>PORTAL_TEST_POSTGRES</c>, a superuser connection string, points
/// the tests at a server of your own instead.
/// </summary>
public static class PostgresServer
{
    private static readonly Lazy<Task<string>> Server = new(StartAsync);

    /// <summary>Creates an empty database and returns its connection string.</summary>
    public static async Task<string> CreateDatabaseAsync(CancellationToken cancellationToken = default)
    {
        var server = await Server.Value;
        var name = $"portal_{Guid.NewGuid():N}";
        await using (var connection = new NpgsqlConnection(server))
        {
            await connection.OpenAsync(cancellationToken);
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        return new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
    }

    /// <summary>Whether a database of this name exists on the server (a tenant database, say).</summary>
    public static async Task<bool> DatabaseExistsAsync(string name)
    {
        await using var connection = new NpgsqlConnection(await Server.Value);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM pg_database WHERE datname = $1", connection);
        command.Parameters.AddWithValue(name);
        return (long)(await command.ExecuteScalarAsync())! > 0;
    }

    /// <summary>Drops a database <see cref="CreateDatabaseAsync"/> made, whoever is still connected to it.</summary>
    public static async Task DropDatabaseAsync(string connectionString)
    {
        var database = new NpgsqlConnectionStringBuilder(connectionString).Database;
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(await Server.Value);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {database} WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }

    private static async Task<string> StartAsync()
    {
        if (Environment.GetEnvironmentVariable("PORTAL_TEST_POSTGRES") is { Length: > 0 } given)
        {
            return given;
        }

        var bin = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "initdb")))
                .OrderByDescending(d => d, StringComparer.Ordinal).FirstOrDefault()
            : null;
        if (bin is null)
        {
            throw new InvalidOperationException(
                "PostgreSQL is not installed: scripts/test.sh installs it (apt-get install postgresql), or set PORTAL_TEST_POSTGRES to a superuser connection string.");
        }

        var folder = Path.Combine(Path.GetTempPath(), "portal-tests", $"postgres-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        var asRoot = Environment.UserName == "root";
        if (asRoot)
        {
            // initdb refuses to run as root: the server runs as Debian's postgres user.
            await RunAsync("chown", ["postgres", folder], asRoot: false);
        }

        var data = Path.Combine(folder, "data");
        await RunAsync(Path.Combine(bin, "initdb"), ["-D", data, "-A", "trust", "-U", "postgres", "--no-sync"], asRoot);
        // Durability is not what these tests are about: fsync off keeps the many small commits cheap.
        await RunAsync(Path.Combine(bin, "pg_ctl"),
            ["-D", data, "-l", Path.Combine(folder, "log"), "-w", "-o",
             $"-k {folder} -c listen_addresses='' -c max_connections=500 -c fsync=off -c full_page_writes=off", "start"],
            asRoot);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
            RunAsync(Path.Combine(bin, "pg_ctl"), ["-D", data, "-m", "immediate", "stop"], asRoot).GetAwaiter().GetResult();
        return $"Host={folder};Username=postgres;Database=postgres";
    }

    private static async Task RunAsync(string program, string[] arguments, bool asRoot)
    {
        var info = asRoot ? new ProcessStartInfo("runuser") { ArgumentList = { "-u", "postgres", "--", program } } : new ProcessStartInfo(program);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} exited with {process.ExitCode}:\n{await output}\n{await error}");
        }
    }
}
