using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Portal.Tests.TestInfrastructure;
using Provisioning.Core.Identity;

namespace Portal.Tests.Portal.Notifications;

/// <summary>
/// The whole portal in-process with the demo data, the real Quartz scheduler delivering the outbox every
/// 100 ms, and mail going to a test SMTP server (or, without one, the pickup folder).
/// </summary>
public sealed class NotificationsPortal(int? smtpPort = null) : WebApplicationFactory<Program>
{
    public const string Password = "Portal-demo-1!";
    public const string PublicBaseUrl = "https://portal.example.test";
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    private readonly Dictionary<string, string> _tokens = [];

    public string DataDirectory { get; } = TestPaths.NewDataDirectory();

    public string PickupDirectory => Path.Combine(DataDirectory, "mail");

    /// <summary>A user written with Identity's own manager, so they can sign in.</summary>
    public async Task AddUserAsync(string email, string tenant, PortalRole role, bool emailNotifications = true)
    {
        await using var scope = Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        var created = await users.CreateAsync(
            new PortalUser { UserName = email, Email = email, EmailConfirmed = true, TenantId = tenant, Role = role, EmailNotifications = emailNotifications },
            Password);
        created.Succeeded.ShouldBeTrue(string.Join(" ", created.Errors.Select(e => e.Description)));
    }

    public HttpClient Anonymous() => CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });

    public async Task<HttpClient> LoginAsync(string email)
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        if (!_tokens.TryGetValue(email, out var token))
        {
            using var anonymous = Anonymous();
            using var response = await anonymous.PostAsJsonAsync("/api/v1/auth/login", new { email, password = Password }, cancellationToken);
            response.StatusCode.ShouldBe(HttpStatusCode.OK, $"login as {email}");
            token = (await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("access_token").GetString()!;
            _tokens[email] = token;
        }

        var client = Anonymous();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>Requests a workspace as <paramref name="client"/> and waits until it is in error.</summary>
    public static async Task<Guid> FailAWorkspaceAsync(HttpClient client, string name)
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        using var created = await client.PostAsJsonAsync("/api/v1/workspaces", new { name, release_id = "demo-app@2.0.0" }, cancellationToken);
        created.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("workspace_id").GetGuid();
        await WaitUntilAsync(client, $"/api/v1/workspaces/{id}", body => body.GetProperty("status").GetString() == "error");
        return id;
    }

    /// <summary>Polls a GET every 50 ms until <paramref name="condition"/> holds on its JSON body, or fails at the deadline.</summary>
    public static async Task<JsonElement> WaitUntilAsync(HttpClient client, string path, Func<JsonElement, bool> condition, TimeSpan? deadline = null)
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var until = TimeProvider.System.GetUtcNow() + (deadline ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            using var response = await client.GetAsync(path, cancellationToken);
            response.StatusCode.ShouldBe(HttpStatusCode.OK, path);
            var body = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
            if (condition(body))
            {
                return body;
            }

            if (TimeProvider.System.GetUtcNow() > until)
            {
                throw new TimeoutException($"GET {path} did not reach the expected state in time: {body}");
            }

            await Task.Delay(PollInterval, TimeProvider.System, cancellationToken);
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // SQLite's pool may still hold a file: the temp folder is cleaned up eventually.
        }
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.UseSetting("Portal:DataDirectory", DataDirectory);
        builder.UseSetting("Portal:SeedDemoData", "true");
        builder.UseSetting("Portal:PublicBaseUrl", PublicBaseUrl);
        builder.UseSetting("Simulator:ReadinessDelay", "00:00:00");
        builder.UseSetting("Mail:From", "Provisioning Portal <portal@portal.example.test>");
        builder.UseSetting("Mail:Delivery:PollInterval", "00:00:00.100");
        builder.UseSetting("Mail:Delivery:SendAttempts", "1");
        builder.UseSetting("Mail:Delivery:RetryBaseDelay", "00:00:00.200");
        builder.UseSetting("Mail:Delivery:RetryMaxDelay", "00:00:01");
        if (smtpPort is { } port)
        {
            builder.UseSetting("Mail:Smtp:Host", "127.0.0.1");
            builder.UseSetting("Mail:Smtp:Port", port.ToString(CultureInfo.InvariantCulture));
            builder.UseSetting("Mail:Smtp:Security", "None");
            builder.UseSetting("Mail:Smtp:Timeout", "00:00:05");
        }
    }
}
