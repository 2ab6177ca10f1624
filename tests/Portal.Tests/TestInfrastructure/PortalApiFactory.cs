using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Provisioning.Core.Persistence;
using Provisioning.Core.Workspaces;

namespace Portal.Tests.TestInfrastructure;

/// <summary>
/// The whole portal in-process on a real SQLite file in its own data directory, Development environment
/// (so the demo tenants, users and releases are seeded), with the real Quartz scheduler running attempts.
/// Delays are shortened so a workspace reaches its end in well under a second; slow-app still stays
/// <c>provisioning</c> for the two-second readiness timeout.
/// </summary>
public partial class PortalApiFactory : WebApplicationFactory<Program>
{
    public const string Password = "Portal-demo-1!";
    public const string AcmeMember = "member@acme.test";
    public const string AcmeAdmin = "admin@acme.test";
    public const string GlobexMember = "member@globex.test";
    public const string PlatformOps = "ops@platform.test";

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan DefaultDeadline = TimeSpan.FromSeconds(30);

    private readonly Dictionary<string, string> _tokens = [];
    private readonly SemaphoreSlim _tokenLock = new(1, 1);

    public PortalApiFactory()
    {
        // Kestrel on a loopback port, not the in-memory TestServer: requests cross a real socket and the
        // server's own limits (such as the request body size) apply as they do in production.
        UseKestrel(0);
    }

    public string DataDirectory { get; } = TestPaths.NewDataDirectory();

    /// <summary>Settings a test class adds before the portal starts (single sign-on, say), applied after the defaults.</summary>
    public Dictionary<string, string?> Settings { get; } = [];

    /// <summary>What the portal logged, at the levels its configuration lets through.</summary>
    public CapturedLogs Logs { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.ConfigureLogging(logging => logging.AddProvider(Logs));
        builder.UseSetting("Portal:DataDirectory", DataDirectory);
        builder.UseSetting("Portal:SeedDemoData", "true");
        builder.UseSetting("Simulator:ReadinessDelay", "00:00:00");
        builder.UseSetting("Provisioning:Retry:BaseDelay", "00:00:00.050");
        builder.UseSetting("Provisioning:Retry:MaxDelay", "00:00:00.200");
        builder.UseSetting("Provisioning:ReadinessTimeout", "00:00:02");
        // Failures are what these tests provoke; keep the output for what nobody expected.
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        builder.UseSetting("Logging:LogLevel:Provisioning.Core", "Critical");
        builder.UseSetting("Logging:LogLevel:Microsoft.AspNetCore.DataProtection", "Error");
        // Unique-index violations are how concurrent requests are decided; EF Core logs each one it sees.
        builder.UseSetting("Logging:LogLevel:Microsoft.EntityFrameworkCore.Update", "Critical");
        // Every test signs in from 127.0.0.1, far more often than a person would; ThrottlingTests turn the limits on.
        builder.UseSetting("Throttling:Enabled", "false");
        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }
    }

    /// <summary>A client with no credentials over a real socket; redirects are not followed, so every status is seen as sent.</summary>
    public HttpClient Anonymous()
    {
        StartServer();
        return new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false })
        {
            // Kestrel's address once the server runs (a loopback port picked by the OS).
            BaseAddress = ClientOptions.BaseAddress,
            Timeout = TimeSpan.FromSeconds(60),
        };
    }

    /// <summary>
    /// A client that keeps cookies, as a browser does (the antiforgery cookie of a form, the pages' sign-in cookie), over
    /// a real socket; redirects are not followed.
    /// </summary>
    public HttpClient Browser()
    {
        StartServer();
        return new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() })
        {
            BaseAddress = ClientOptions.BaseAddress,
            Timeout = TimeSpan.FromSeconds(60),
        };
    }

    /// <summary>The antiforgery token of the first form in a page's HTML.</summary>
    public static string AntiforgeryToken(string html) =>
        WebUtility.HtmlDecode(AntiforgeryField().Match(html) is { Success: true } field
            ? field.Groups["token"].Value
            : throw new ShouldAssertException("The page has no form with an antiforgery token."));

    /// <summary>Signs in through <c>POST /api/v1/auth/login</c> and returns a client sending the bearer token.</summary>
    public async Task<HttpClient> LoginAsync(string email)
    {
        var token = await TokenAsync(email);
        var client = Anonymous();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>Polls <c>GET /api/v1/workspaces/{id}</c> every 50 ms until the status is reached, or fails at the deadline.</summary>
    public static async Task<JsonElement> WaitForStatusAsync(HttpClient client, Guid workspaceId, string status, TimeSpan? deadline = null)
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var until = TimeProvider.System.GetUtcNow() + (deadline ?? DefaultDeadline);
        JsonElement last = default;
        while (true)
        {
            using var response = await client.GetAsync($"/api/v1/workspaces/{workspaceId}", cancellationToken);
            response.StatusCode.ShouldBe(HttpStatusCode.OK, $"GET /api/v1/workspaces/{workspaceId} while waiting for '{status}'");
            last = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
            var current = last.GetProperty("status").GetString();
            if (current == status)
            {
                return last;
            }

            if (TimeProvider.System.GetUtcNow() >= until)
            {
                throw new TimeoutException($"Workspace {workspaceId} did not reach '{status}' in time; it is '{current}': {last}");
            }

            await Task.Delay(PollInterval, TimeProvider.System, cancellationToken);
        }
    }

    /// <summary>
    /// Waits until no workspace is being provisioned or deleted, so row counts stop moving in the background
    /// (polling every 50 ms, failing after 30 s).
    /// </summary>
    public async Task WaitForQuietAsync()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var until = TimeProvider.System.GetUtcNow() + DefaultDeadline;
        while (true)
        {
            await using (var db = await DbAsync())
            {
                var busy = await db.Workspaces.CountAsync(
                    w => w.Status == WorkspaceStatus.Provisioning || w.Status == WorkspaceStatus.Deprovisioning, cancellationToken);
                if (busy == 0)
                {
                    return;
                }

                if (TimeProvider.System.GetUtcNow() >= until)
                {
                    throw new TimeoutException($"{busy} workspaces are still being provisioned or deleted.");
                }
            }

            await Task.Delay(PollInterval, TimeProvider.System, cancellationToken);
        }
    }

    /// <summary>A context on the portal database, unscoped (it sees every tenant), for counting rows.</summary>
    public async Task<ProvisioningDbContext> DbAsync()
    {
        var factory = Services.GetRequiredService<IDbContextFactory<ProvisioningDbContext>>();
        return await factory.CreateDbContextAsync(TestContext.Current.CancellationToken);
    }

    /// <summary>How many rows each table a request could touch holds now.</summary>
    public async Task<ApiRowCounts> CountRowsAsync()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var db = await DbAsync();
        return new ApiRowCounts(
            Workspaces: await db.Workspaces.CountAsync(cancellationToken),
            Attempts: await db.Attempts.CountAsync(cancellationToken),
            Steps: await db.Steps.CountAsync(cancellationToken),
            Events: await db.Events.CountAsync(cancellationToken),
            Resources: await db.Resources.CountAsync(cancellationToken),
            Faults: await db.SimulatedFaults.CountAsync(cancellationToken),
            IdempotencyKeys: await db.IdempotencyRecords.CountAsync(cancellationToken),
            Users: await db.Users.CountAsync(cancellationToken),
            Notifications: await db.Notifications.CountAsync(cancellationToken));
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _tokenLock.Dispose();
        DeleteDataDirectory();
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            DeleteDataDirectory();
        }
    }

    private async Task<string> TokenAsync(string email)
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await _tokenLock.WaitAsync(cancellationToken);
        try
        {
            if (_tokens.TryGetValue(email, out var known))
            {
                return known;
            }

            using var client = Anonymous();
            using var response = await client.PostAsJsonAsync("/api/v1/auth/login", new { email, password = Password }, cancellationToken);
            response.StatusCode.ShouldBe(HttpStatusCode.OK, $"login as {email}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
            var body = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
            body.GetProperty("token_type").GetString().ShouldBe("Bearer");
            var token = body.GetProperty("access_token").GetString().ShouldNotBeNull();
            _tokens[email] = token;
            return token;
        }
        finally
        {
            _tokenLock.Release();
        }
    }

    [System.Text.RegularExpressions.GeneratedRegex("""name="__RequestVerificationToken" value="(?<token>[^"]+)""")]
    private static partial System.Text.RegularExpressions.Regex AntiforgeryField();

    private void DeleteDataDirectory()
    {
        try
        {
            if (Directory.Exists(DataDirectory))
            {
                Directory.Delete(DataDirectory, recursive: true);
            }
        }
        catch (IOException)
        {
            // A file still held open (SQLite's pool): the temp folder is cleaned up eventually.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}

/// <summary>Row counts of the portal database, compared before and after requests that must change nothing.</summary>
public sealed record ApiRowCounts(
    int Workspaces, int Attempts, int Steps, int Events, int Resources, int Faults, int IdempotencyKeys, int Users, int Notifications);
