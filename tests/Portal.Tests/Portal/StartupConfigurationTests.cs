using System.Diagnostics;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Portal;

/// <summary>Bad configuration stops the real portal process with one clear line naming the setting.</summary>
public sealed class StartupConfigurationTests
{
    public static TheoryData<string, string, string> BadSettings => new()
    {
        { "Database__Provider", "Oracle", "Database:Provider" },
        { "Provisioning__Retry__BaseDelay", "ten seconds", "Provisioning:Retry:BaseDelay" },
        { "Provisioning__Retry__MaxAttempts", "0", "Provisioning:Retry:MaxAttempts" },
        { "Provisioning__ReadinessTimeout", "-00:00:01", "Provisioning:ReadinessTimeout" },
        { "Simulator__Capacity__Cpu", "0", "Simulator:Capacity:Cpu" },
        { "Portal__DataDirectory", "/etc/hostname/data", "Portal:DataDirectory" },
        { "Portal__ForwardedHeaders__KnownProxies__0", "the-proxy", "Portal:ForwardedHeaders:KnownProxies" },
        { "Authentication__LocalPasswords", "false", "Authentication:LocalPasswords=false needs single sign-on" },
        { "Authentication__Oidc__Authority", "http://idp.example.test", "Authentication:Oidc:Authority 'http://idp.example.test' must be https" },
        { "Portal__Invitations__ValidFor", "00:00:01", "Portal:Invitations:ValidFor must be between" },
        { "Throttling__WritesPerUser__PermitLimit", "0", "Throttling:WritesPerUser:PermitLimit must be between" },
        { "Throttling__SignInPerClient__Window", "soon", "Throttling:SignInPerClient:Window" },
        { "Infrastructure__Vsphere__Url", "http://vcenter.example.test/sdk", "Infrastructure:Vsphere:Url 'http://vcenter.example.test/sdk' must be an https:// address" },
        { "Infrastructure__Vsphere__Url", "https://vcenter.example.test/sdk", "Infrastructure:Vsphere:Username and Infrastructure:Vsphere:Password are required" },
        { "Infrastructure__Vsphere__Readiness", "tool", "Infrastructure:Vsphere:Readiness" },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public async Task BadSetting_StopsStartUp_WithOneMessageNamingIt(string variable, string value, string setting)
    {
        var (exitCode, error) = await StartAsync(new Dictionary<string, string> { [variable] = value });

        exitCode.ShouldBe(2);
        error.ShouldStartWith("Configuration error:");
        error.ShouldContain(setting);
    }

    [Fact]
    public async Task ABrokenTemplateFile_StopsStartUp_NamingTheFileTheLineAndTheRule()
    {
        var folder = Directory.CreateTempSubdirectory("broken-templates-");
        try
        {
            var file = Path.Combine(folder.FullName, "scripted.yaml");
            await File.WriteAllTextAsync(file, "name: scripted\nsteps:\n  - name: make_bucket\n    on_failure: sometimes\n    run: ./bucket.sh\n", TestContext.Current.CancellationToken);

            var (exitCode, error) = await StartAsync(new Dictionary<string, string> { ["Provisioning__Templates__Directory"] = folder.FullName }, oneLine: false);

            exitCode.ShouldBe(2);
            error.ShouldStartWith("Configuration error: 1 problem(s) in the templates:");
            error.ShouldContain($"{file}:4: on_failure 'sometimes' must be release or retain");
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Theory]
    [InlineData("Sqlite", "Host=127.0.0.1;Database=portal;Username=portal", "is not a SQLite connection string")]
    [InlineData("Postgres", "Data Source=portal.db", "is not an Npgsql connection string")]
    [InlineData("Postgres", "", "must be an Npgsql connection string")]
    public async Task AConnectionStringOfTheWrongKind_StopsStartUp_SayingSo(string provider, string connectionString, string says)
    {
        var (exitCode, error) = await StartAsync(new Dictionary<string, string>
        {
            ["Database__Provider"] = provider,
            ["ConnectionStrings__Portal"] = connectionString,
        });

        exitCode.ShouldBe(2);
        error.ShouldStartWith("Configuration error:");
        error.ShouldContain("ConnectionStrings:Portal");
        error.ShouldContain(says);
    }

    [Fact]
    public async Task APostgresDatabaseThatIsNotThere_StopsStartUp_NamingTheServerAndWhatFailed()
    {
        var server = new Npgsql.NpgsqlConnectionStringBuilder(await PostgresServer.CreateDatabaseAsync(TestContext.Current.CancellationToken))
        {
            Database = "no_such_database",
        };

        var (exitCode, error) = await StartAsync(new Dictionary<string, string>
        {
            ["Database__Provider"] = "Postgres",
            ["ConnectionStrings__Portal"] = server.ConnectionString,
        });

        exitCode.ShouldBe(3);
        error.ShouldBe($"Database error: PostgreSQL at {server.Host}:5432 (database 'no_such_database', user 'postgres') could not be reached: " +
            "database \"no_such_database\" does not exist (3D000).");
    }

    [Fact]
    public async Task APostgresServerThatDoesNotAnswer_StopsStartUp_NamingTheServerAndWhatFailed()
    {
        var (exitCode, error) = await StartAsync(new Dictionary<string, string>
        {
            ["Database__Provider"] = "Postgres",
            // Port 1 on loopback: nothing listens there.
            ["ConnectionStrings__Portal"] = "Host=127.0.0.1;Port=1;Database=portal;Username=portal;Password=secret",
        });

        exitCode.ShouldBe(3);
        error.ShouldStartWith("Database error: PostgreSQL at 127.0.0.1:1 (database 'portal', user 'portal') could not be reached: connection refused");
        error.ShouldNotContain("secret");
    }

    /// <summary>
    /// Starts the real portal with these settings and waits for it to stop; returns its exit code and its one line of
    /// error (one line per problem where a start lists several, as for the templates).
    /// </summary>
    private static async Task<(int ExitCode, string Error)> StartAsync(Dictionary<string, string> settings, bool oneLine = true)
    {
        var dataDirectory = TestPaths.NewDataDirectory();
        var info = PortalBinary.StartInfo(dataDirectory, settings, "--urls", "http://127.0.0.1:0");
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        var error = (await stderr).Trim();
        if (oneLine)
        {
            error.Split('\n').Length.ShouldBe(1, error);
        }

        (error + await stdout).ShouldNotContain("   at ");
        return (process.ExitCode, error);
    }
}
