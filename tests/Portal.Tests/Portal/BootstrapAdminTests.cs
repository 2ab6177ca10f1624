using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Npgsql;
using Portal.Tests.TestInfrastructure;
using Provisioning.Core.Persistence;

namespace Portal.Tests.Portal;

/// <summary>
/// Issue 14, day one: the real portal started on an empty database without demo data makes its first platform admin
/// from <c>Portal:Bootstrap</c>, once; later starts never reset that password nor add a second admin; bad bootstrap
/// settings stop the start with one line naming them.
/// </summary>
public abstract class BootstrapAdminTests(DatabaseProvider provider) : IAsyncDisposable
{
    private const string AdminEmail = "root@initech.example";
    private const string AdminPassword = "Initech-first-admin-1";

    private readonly string _dataDirectory = TestPaths.NewDataDirectory();
    private readonly List<CrashPortalProcess> _portals = [];
    private string? _database;

    [Fact]
    public async Task AnEmptyDeployment_GetsItsFirstPlatformAdmin_AndLaterStartsChangeNothing()
    {
        var ct = TestContext.Current.CancellationToken;
        var first = await StartAsync(AdminEmail, AdminPassword, ct);
        (await SignInAsync(first, AdminEmail, AdminPassword, ct)).ShouldBe(HttpStatusCode.OK);
        first.Lines(l => l.Contains("Created the first platform admin, root@initech.example", StringComparison.Ordinal)).Count.ShouldBe(1);
        first.Lines(l => l.Contains(AdminPassword, StringComparison.Ordinal)).ShouldBeEmpty();
        using (var platform = await first.LoginAsync(AdminEmail, AdminPassword, ct))
        {
            using var capacity = await platform.GetAsync("/api/v1/platform/simulator/capacity", ct);
            capacity.StatusCode.ShouldBe(HttpStatusCode.OK, "the bootstrap admin is a platform admin");
        }

        await first.KillAsync();

        // Started again with another password, then another address: the first admin stays as it was, alone.
        var second = await StartAsync(AdminEmail, "Another-strong-pass-2", ct);
        (await SignInAsync(second, AdminEmail, AdminPassword, ct)).ShouldBe(HttpStatusCode.OK);
        (await SignInAsync(second, AdminEmail, "Another-strong-pass-2", ct)).ShouldBe(HttpStatusCode.Unauthorized);
        await second.KillAsync();
        var third = await StartAsync("second@initech.example", AdminPassword, ct);
        (await SignInAsync(third, "second@initech.example", AdminPassword, ct)).ShouldBe(HttpStatusCode.Unauthorized);
        third.Lines(l => l.Contains("A platform admin exists", StringComparison.Ordinal)).Count.ShouldBe(1);
        (await PlatformAdminsAsync(ct)).ShouldBe(1);
    }

    public static TheoryData<string?, string?, string> BadSettings => new()
    {
        { AdminEmail, "short", "Portal:Bootstrap:AdminPassword is too weak: Passwords must be at least 6 characters." },
        { AdminEmail, "alllowercaseletters", "Portal:Bootstrap:AdminPassword is too weak:" },
        { AdminEmail, null, "Portal:Bootstrap:AdminEmail and Portal:Bootstrap:AdminPassword go together" },
        { null, AdminPassword, "Portal:Bootstrap:AdminEmail and Portal:Bootstrap:AdminPassword go together" },
        { "root@initech.example, evil@example.com", AdminPassword, "Portal:Bootstrap:AdminEmail must be one email address" },
        { "Root <root@initech.example>", AdminPassword, "Portal:Bootstrap:AdminEmail must be one email address" },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public async Task BadBootstrapSettings_StopTheStart_WithOneLine_AndCreateNobody(string? email, string? password, string says)
    {
        var ct = TestContext.Current.CancellationToken;
        var info = PortalBinary.StartInfo(_dataDirectory, await EnvironmentAsync(email, password, ct), "--urls", "http://127.0.0.1:0");
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync(ct);
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        using (var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
        {
            await process.WaitForExitAsync(deadline.Token);
        }

        process.ExitCode.ShouldBe(2);
        var error = (await stderr).Trim();
        error.ShouldStartWith("Configuration error: ");
        error.ShouldContain(says);
        error.Split('\n').Length.ShouldBe(1, error);
        (error + await stdout).ShouldNotContain("   at ");
        if (password is not null)
        {
            (error + await stdout).ShouldNotContain(password);
        }
    }

    [Fact]
    public async Task TheBootstrapAddressOfAnExistingUser_StopsTheStart_InsteadOfMakingThatUserAdmin()
    {
        var ct = TestContext.Current.CancellationToken;
        // Demo data without its platform admin is not a thing; a member of the demo with no admin is made here by hand.
        var seeded = await StartAsync(null, null, ct, seedDemoData: true);
        await seeded.KillAsync();
        await ExecuteAsync("""DELETE FROM "AspNetUsers" WHERE "Role" = 'PlatformAdmin'""", ct);

        var info = PortalBinary.StartInfo(_dataDirectory, await EnvironmentAsync("member@acme.test", AdminPassword, ct), "--urls", "http://127.0.0.1:0");
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync(ct);
        using (var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(90)))
        {
            await process.WaitForExitAsync(deadline.Token);
        }

        process.ExitCode.ShouldBe(2);
        (await stderr).Trim().ShouldBe(
            "Configuration error: Portal:Bootstrap:AdminEmail member@acme.test belongs to a user who is not a platform admin; name an address of its own.");
        (await PlatformAdminsAsync(ct)).ShouldBe(0);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var portal in _portals)
        {
            await portal.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    private async Task<CrashPortalProcess> StartAsync(string? email, string? password, CancellationToken ct, bool seedDemoData = false)
    {
        var portal = await CrashPortalProcess.StartHealthyAsync(
            _dataDirectory, $"portal-{_portals.Count + 1}.log", await EnvironmentAsync(email, password, ct, seedDemoData), TimeSpan.FromSeconds(90), ct);
        _portals.Add(portal);
        return portal;
    }

    private async Task<Dictionary<string, string>> EnvironmentAsync(string? email, string? password, CancellationToken ct, bool seedDemoData = false)
    {
        var environment = new Dictionary<string, string> { ["Portal__SeedDemoData"] = seedDemoData ? "true" : "false" };
        if (provider == DatabaseProvider.Postgres)
        {
            _database ??= await PostgresServer.CreateDatabaseAsync(ct);
            environment["Database__Provider"] = "Postgres";
            environment["ConnectionStrings__Portal"] = _database;
        }

        if (email is not null)
        {
            environment["Portal__Bootstrap__AdminEmail"] = email;
        }

        if (password is not null)
        {
            environment["Portal__Bootstrap__AdminPassword"] = password;
        }

        return environment;
    }

    private static async Task<HttpStatusCode> SignInAsync(CrashPortalProcess portal, string email, string password, CancellationToken ct)
    {
        using var response = await portal.Client.PostAsJsonAsync("/api/v1/auth/login", new { email, password }, ct);
        return response.StatusCode;
    }

    private async Task<long> PlatformAdminsAsync(CancellationToken ct) =>
        Convert.ToInt64(await ScalarAsync("""SELECT count(*) FROM "AspNetUsers" WHERE "Role" = 'PlatformAdmin'""", ct), System.Globalization.CultureInfo.InvariantCulture);

    private Task ExecuteAsync(string sql, CancellationToken ct) => ScalarAsync(sql, ct);

    private async Task<object?> ScalarAsync(string sql, CancellationToken ct)
    {
        if (provider == DatabaseProvider.Postgres)
        {
            await using var connection = new NpgsqlConnection(_database);
            await connection.OpenAsync(ct);
            await using var command = new NpgsqlCommand(sql, connection);
            return await command.ExecuteScalarAsync(ct);
        }

        await using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(_dataDirectory, "portal.db")}"))
        {
            await connection.OpenAsync(ct);
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            return await command.ExecuteScalarAsync(ct);
        }
    }
}

public sealed class BootstrapAdminTestsOnSqlite() : BootstrapAdminTests(DatabaseProvider.Sqlite);

public sealed class BootstrapAdminTestsOnPostgres() : BootstrapAdminTests(DatabaseProvider.Postgres);
