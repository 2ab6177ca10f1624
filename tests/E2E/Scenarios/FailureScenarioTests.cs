using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using E2E.Infrastructure;
using E2E.Pages;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace E2E.Scenarios;

/// <summary>One portal for the failure scenarios (issue 6); they run one after another and clear faults and capacity between them.</summary>
public sealed class FailureScenarioFixture : IAsyncLifetime
{
    public PortalProcess Portal { get; } = CreatePortal();

    public BrowserFixture Browser { get; } = new();

    public Task<IBrowserContext> NewContextAsync() => Browser.NewContextAsync(Portal.BaseUrl, BrowserFixture.Desktop);

    public async ValueTask InitializeAsync() => await Task.WhenAll(Portal.StartAsync(), Browser.InitializeAsync().AsTask());

    public async ValueTask DisposeAsync()
    {
        await Browser.DisposeAsync();
        await Portal.DisposeAsync();
        EvidenceIndex.Write();
    }

    private static PortalProcess CreatePortal()
    {
        var portal = PortalProcess.Create("failure-scenarios");
        portal.EnvironmentVariables["Simulator__ReadinessDelay"] = "00:00:01";
        portal.EnvironmentVariables["Provisioning__Retry__BaseDelay"] = "00:00:02";
        portal.EnvironmentVariables["Provisioning__Retry__MaxDelay"] = "00:00:05";
        portal.EnvironmentVariables["Mail__Delivery__PollInterval"] = "00:00:00.500";
        return portal;
    }
}

/// <summary>The API as the scenarios use it: a bearer token per user, and every response kept as evidence.</summary>
public sealed class Api(Uri baseUrl, Evidence evidence) : IDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly HttpClient _http = new() { BaseAddress = baseUrl };

    public async Task<Api> AsAsync(string email)
    {
        using var login = await _http.PostAsJsonAsync("api/v1/auth/login", new { email, password = SignInPage.DemoPassword });
        login.EnsureSuccessStatusCode();
        var token = (await login.Content.ReadFromJsonAsync<JsonElement>(Json)).GetProperty("access_token").GetString()!;
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return this;
    }

    public async Task<JsonElement> SendAsync(HttpMethod method, string path, object? body = null, string? evidenceName = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var json = text.Length == 0 ? default : JsonSerializer.Deserialize<JsonElement>(text, Json);
        ((int)response.StatusCode).ShouldBeLessThan(400, $"{method} {path} answered {(int)response.StatusCode}: {text}");
        if (evidenceName is not null)
        {
            await evidence.WriteJsonAsync(evidenceName, new { request = $"{method} {path}", status = (int)response.StatusCode, body = json });
        }

        return json;
    }

    public Task<JsonElement> GetAsync(string path, string? evidenceName = null) => SendAsync(HttpMethod.Get, path, null, evidenceName);

    public void Dispose() => _http.Dispose();
}

/// <summary>Seed 000/001/003's failure stories in Chromium: rapid retries, capacity, transient and permanent faults, notifications, isolation.</summary>
public sealed class FailureScenarioTests(FailureScenarioFixture fixture) : IClassFixture<FailureScenarioFixture>, IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    public async ValueTask InitializeAsync() => await ResetSimulatorAsync();

    private readonly List<(IBrowserContext Context, Evidence Evidence)> _contexts = [];
    private bool _passed;

    /// <summary>Closes the test's browser contexts, saving each one's Playwright trace into the scenario folder when the test failed.</summary>
    public async ValueTask DisposeAsync()
    {
        for (var i = 0; i < _contexts.Count; i++)
        {
            var (context, evidence) = _contexts[i];
            try
            {
                await context.Tracing.StopAsync(_passed ? new() : new() { Path = Path.Combine(evidence.Folder, $"trace-{i + 1}.zip") });
            }
            finally
            {
                await context.DisposeAsync();
            }
        }

        await ResetSimulatorAsync();
        EvidenceIndex.Write();
    }

    private async Task<IBrowserContext> NewTracedContextAsync(Evidence evidence)
    {
        var context = await fixture.NewContextAsync();
        await context.Tracing.StartAsync(new() { Screenshots = true, Snapshots = true, Sources = false });
        _contexts.Add((context, evidence));
        return context;
    }

    private void Passed() => _passed = true;

    [Fact]
    public async Task RapidRetries_DoubleTripleClickAndTwoTabs_StartExactlyOneAttemptEach()
    {
        var evidence = Evidence.For("rapid-retries");
        using var api = await new Api(fixture.Portal.BaseUrl, evidence).AsAsync(SignInPage.Member);
        using var ops = await new Api(fixture.Portal.BaseUrl, evidence).AsAsync(SignInPage.PlatformAdmin);
        var context = await NewTracedContextAsync(evidence);
        await SignInPage.SignInAsync(context);

        // A permanent fault at power_on for every attempt: each ends in error, so Retry stays offered.
        await ops.SendAsync(HttpMethod.Post, "api/v1/platform/simulator/faults", new { step = "power_on", code = "vm_config_invalid", times = 20, latency_ms = 2000 }, "fault");
        var id = (await api.SendAsync(HttpMethod.Post, "api/v1/workspaces", new { name = Name("rapid"), release_id = "ubuntu-vm@24.04" }, "created")).GetProperty("workspace_id").GetGuid();
        var page = await BrowserFixture.OpenAsync(context, $"/workspaces/{id}");
        var workspace = new WorkspacePage(page);
        await Expect(workspace.Status("error")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await evidence.ScreenshotAsync(page, "error");

        var expected = 1;
        foreach (var clicks in new[] { 2, 3 })
        {
            await workspace.RetryButton.ClickAsync(new() { ClickCount = clicks });
            expected++;
            await WaitForAttemptAsync(api, id, expected);
            await Expect(workspace.Status("error")).ToBeVisibleAsync(new() { Timeout = 30_000 });
            await Expect(workspace.RetryButton).ToBeEnabledAsync();
            await evidence.ScreenshotAsync(page, $"after-{clicks}-clicks");
        }

        var second = await BrowserFixture.OpenAsync(context, $"/workspaces/{id}");
        var other = new WorkspacePage(second);
        await Expect(other.RetryButton).ToBeEnabledAsync();
        await Expect(workspace.RetryButton).ToBeEnabledAsync();
        // Both tabs' buttons are enabled; clicking them from script skips Playwright's wait for a disabled button to
        // come back. The locators still wait for each button to be attached (a live refresh may be re-rendering it).
        await Task.WhenAll(
            workspace.RetryButton.EvaluateAsync("button => button.click()"),
            other.RetryButton.EvaluateAsync("button => button.click()"));
        expected++;
        await WaitForAttemptAsync(api, id, expected);
        await Expect(workspace.Status("error")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Expect(other.Status("error")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await evidence.ScreenshotAsync(page, "after-two-tabs-first");
        await evidence.ScreenshotAsync(second, "after-two-tabs-second");

        var detail = await api.GetAsync($"api/v1/workspaces/{id}", "workspace");
        detail.GetProperty("attempt").GetInt32().ShouldBe(expected);
        var events = await api.GetAsync($"api/v1/workspaces/{id}/events", "events");
        var retries = Items(events).Count(e => Type(e) == "provisioning.attempt_started" && e.ToString().Contains("\"retry\"", StringComparison.Ordinal));
        retries.ShouldBe(expected - 1, "one attempt_started with trigger retry per retry gesture");
        Passed();
    }

    [Fact]
    public async Task InsufficientCapacity_FailsWithTheCapacityMessage_AndRetryAfterCapacityIsFreedReusesTheDatabase()
    {
        var evidence = Evidence.For("insufficient-capacity");
        using var ops = await new Api(fixture.Portal.BaseUrl, evidence).AsAsync(SignInPage.PlatformAdmin);
        using var api = await new Api(fixture.Portal.BaseUrl, evidence).AsAsync(SignInPage.Member);
        var original = await ops.GetAsync("api/v1/platform/simulator/inventory", "inventory-before");
        await ops.SendAsync(HttpMethod.Put, "api/v1/platform/simulator/capacity", new { cpu = 1, memory_gb = 1 }, "capacity-small");
        var context = await NewTracedContextAsync(evidence);
        await SignInPage.SignInAsync(context);

        var id = (await api.SendAsync(HttpMethod.Post, "api/v1/workspaces", new { name = Name("capacity"), release_id = "demo-app@1.0.0" }, "created")).GetProperty("workspace_id").GetGuid();
        var page = await BrowserFixture.OpenAsync(context, $"/workspaces/{id}");
        var workspace = new WorkspacePage(page);
        await Expect(workspace.Status("error")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Expect(workspace.ErrorMessage).ToContainTextAsync("Cluster capacity reached");
        await Expect(workspace.RetryButton).ToBeEnabledAsync();
        await Expect(page.Locator("[data-testid=stepper] li[data-status='running']")).ToHaveCountAsync(0);
        await evidence.ScreenshotAsync(page, "capacity-error");
        var failed = await api.GetAsync($"api/v1/workspaces/{id}", "workspace-error");
        failed.ToString().ShouldNotContain("\"running\"");

        await ops.SendAsync(HttpMethod.Put, "api/v1/platform/simulator/capacity", new { cpu = 64, memory_gb = 256 }, "capacity-restored");
        await workspace.RetryButton.ClickAsync();
        await Expect(workspace.Ready).ToBeVisibleAsync(new() { Timeout = 60_000 });
        await evidence.ScreenshotAsync(page, "ready");

        var events = await api.GetAsync($"api/v1/workspaces/{id}/events", "events");
        Items(events).Count(e => e.ToString().Contains("create_tenant_database", StringComparison.Ordinal) && Type(e).Contains("started", StringComparison.Ordinal))
            .ShouldBe(1, "the tenant database was created once and reused by the retry");
        var resources = await api.GetAsync($"api/v1/workspaces/{id}/resources", "resources");
        resources.ToString().ShouldContain("database", Case.Insensitive);
        _ = original;
        Passed();
    }

    [Fact]
    public async Task InsufficientCapacity_RetryWithASmallerSize_FromThePage_EndsReady_AndTheTimelineSaysSo()
    {
        var evidence = Evidence.For("retry-with-a-smaller-size");
        using var ops = await new Api(fixture.Portal.BaseUrl, evidence).AsAsync(SignInPage.PlatformAdmin);
        using var api = await new Api(fixture.Portal.BaseUrl, evidence).AsAsync(SignInPage.Member);
        // Room for 2 CPU and 4 GB more than the other scenarios' workspaces hold: 4 CPU and 16 GB do not fit, 1 and 2 do.
        var capacity = await ops.GetAsync("api/v1/platform/simulator/capacity", "capacity-before");
        await ops.SendAsync(HttpMethod.Put, "api/v1/platform/simulator/capacity",
            new { cpu = capacity.GetProperty("used_cpu").GetInt32() + 2, memory_gb = capacity.GetProperty("used_memory_gb").GetInt32() + 4 }, "capacity-small");
        try
        {
            var context = await NewTracedContextAsync(evidence);
            await SignInPage.SignInAsync(context);
            var id = (await api.SendAsync(HttpMethod.Post, "api/v1/workspaces",
                new { name = Name("smaller"), release_id = "ubuntu-vm@24.04", size = new { cpu = 4, memory_gb = 16 } }, "created")).GetProperty("workspace_id").GetGuid();
            var page = await BrowserFixture.OpenAsync(context, $"/workspaces/{id}");
            var workspace = new WorkspacePage(page);
            await Expect(workspace.Status("error")).ToBeVisibleAsync(new() { Timeout = 30_000 });
            await Expect(workspace.ErrorMessage).ToContainTextAsync("Please try a smaller size");

            await page.Locator("#retry-resize-open").ClickAsync();
            await page.Locator("#retry-resize-cpu").FillAsync("1");
            await page.Locator("#retry-resize-memory").FillAsync("2");
            await evidence.ScreenshotAsync(page, "smaller-size-chosen");
            await page.Locator("#retry-resize-submit").ClickAsync();

            await Expect(workspace.Ready).ToBeVisibleAsync(new() { Timeout = 60_000 });
            await Expect(page.Locator("[data-testid=workspace-facts]")).ToContainTextAsync("1 CPU, 2 GB");
            await Expect(page.GetByText("changed the size from 4 CPU, 16 GB to 1 CPU, 2 GB")).ToBeVisibleAsync();
            await evidence.ScreenshotAsync(page, "ready-at-the-smaller-size");
        }
        finally
        {
            await ops.SendAsync(HttpMethod.Put, "api/v1/platform/simulator/capacity", new { cpu = 64, memory_gb = 256 }, "capacity-restored");
        }

        Passed();
    }

    [Fact]
    public async Task TransientFaults_ShowTheCountdownAndAttempt_ThenReady()
    {
        var evidence = Evidence.For("transient-then-success");
        using var ops = await new Api(fixture.Portal.BaseUrl, evidence).AsAsync(SignInPage.PlatformAdmin);
        using var api = await new Api(fixture.Portal.BaseUrl, evidence).AsAsync(SignInPage.Member);
        await ops.SendAsync(HttpMethod.Post, "api/v1/platform/simulator/faults", new { step = "clone_vm", code = "service_unavailable", times = 2 }, "fault");
        var context = await NewTracedContextAsync(evidence);
        await SignInPage.SignInAsync(context);

        var id = (await api.SendAsync(HttpMethod.Post, "api/v1/workspaces", new { name = Name("transient"), release_id = "ubuntu-vm@24.04" }, "created")).GetProperty("workspace_id").GetGuid();
        var page = await BrowserFixture.OpenAsync(context, $"/workspaces/{id}");
        var workspace = new WorkspacePage(page);
        var countdown = workspace.Step("clone_vm");
        await Expect(countdown).ToContainTextAsync("Next try in", new() { Timeout = 30_000 });
        await Expect(countdown).ToContainTextAsync("try 2 of 5");
        await evidence.ScreenshotAsync(page, "countdown-attempt-2");
        await Expect(workspace.Ready).ToBeVisibleAsync(new() { Timeout = 60_000 });
        await evidence.ScreenshotAsync(page, "ready");
        await api.GetAsync($"api/v1/workspaces/{id}/events", "events");
        Passed();
    }

    [Fact]
    public async Task PermanentFailure_IsCompensated_AndAFailedCleanupLeavesAnOrphanThatRetryCleanupClears()
    {
        var evidence = Evidence.For("permanent-failure-compensation");
        using var ops = await new Api(fixture.Portal.BaseUrl, evidence).AsAsync(SignInPage.PlatformAdmin);
        using var api = await new Api(fixture.Portal.BaseUrl, evidence).AsAsync(SignInPage.Member);
        await ops.SendAsync(HttpMethod.Post, "api/v1/platform/simulator/faults", new { step = "power_on", code = "vm_config_invalid", times = 1 }, "fault-power-on");
        var context = await NewTracedContextAsync(evidence);
        await SignInPage.SignInAsync(context);

        var name = Name("permanent");
        var id = (await api.SendAsync(HttpMethod.Post, "api/v1/workspaces", new { name, release_id = "ubuntu-vm@24.04" }, "created")).GetProperty("workspace_id").GetGuid();
        var page = await BrowserFixture.OpenAsync(context, $"/workspaces/{id}");
        var workspace = new WorkspacePage(page);
        await Expect(workspace.Status("error")).ToBeVisibleAsync(new() { Timeout = 60_000 });
        await Expect(workspace.ErrorMessage).Not.ToBeEmptyAsync();
        await Expect(workspace.ErrorCode).ToContainTextAsync("vm_config_invalid");
        await Expect(workspace.TimelineFailures.First).ToBeVisibleAsync();
        await evidence.ScreenshotAsync(page, "failed-compensated");
        var inventory = await ops.GetAsync("api/v1/platform/simulator/inventory", "inventory-after-compensation");
        inventory.EnumerateArray().Where(r => r.GetProperty("workspace_id").GetString() == id.ToString() && r.GetProperty("state").GetString() != "deleted")
            .ShouldBeEmpty("the partial VM was removed by compensation");

        // Now with the clean-up of the clone failing too: the VM is left as an orphan.
        await ops.SendAsync(HttpMethod.Post, "api/v1/platform/simulator/faults", new { step = "clone_vm", code = "service_unavailable", times = 1, on = "compensate" }, "fault-compensate");
        await ops.SendAsync(HttpMethod.Post, "api/v1/platform/simulator/faults", new { step = "power_on", code = "vm_config_invalid", times = 1 }, "fault-power-on-again");
        var orphanId = (await api.SendAsync(HttpMethod.Post, "api/v1/workspaces", new { name = Name("orphan"), release_id = "ubuntu-vm@24.04" }, "created-orphan")).GetProperty("workspace_id").GetGuid();
        var orphanPage = await BrowserFixture.OpenAsync(context, $"/workspaces/{orphanId}");
        await Expect(new WorkspacePage(orphanPage).Status("error")).ToBeVisibleAsync(new() { Timeout = 60_000 });
        await evidence.ScreenshotAsync(orphanPage, "failed-cleanup-failed");

        var opsContext = await NewTracedContextAsync(evidence);
        await SignInPage.SignInAsync(opsContext, SignInPage.PlatformAdmin);
        var orphans = await BrowserFixture.OpenAsync(opsContext, "/platform/orphans");
        var orphansPage = new PlatformOrphansPage(orphans);
        await Expect(orphansPage.Rows.First).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await ops.GetAsync("api/v1/platform/orphans", "orphans");
        await evidence.ScreenshotAsync(orphans, "orphan-listed");
        await orphans.GetByRole(AriaRole.Button, new() { Name = "Retry cleanup" }).First.ClickAsync();
        await Expect(orphansPage.Rows).ToHaveCountAsync(0, new() { Timeout = 30_000 });
        await evidence.ScreenshotAsync(orphans, "orphan-cleared");
        await ops.GetAsync("api/v1/platform/orphans", "orphans-after");
        Passed();
    }

    [Fact]
    public async Task Failure_MailsTheRequesterAndTheTenantAdmin_AndTheBellCountRisesLive()
    {
        Assert.SkipWhen(fixture.Portal.IsExternal, "the mail folder of an external portal is not reachable");
        var evidence = Evidence.For("notifications");
        using var api = await new Api(fixture.Portal.BaseUrl, evidence).AsAsync(SignInPage.Member);
        var context = await NewTracedContextAsync(evidence);
        await SignInPage.SignInAsync(context);
        var list = await WorkspacesListPage.OpenAsync(context);
        var shell = new WorkspacePage(list.Page);
        var unread = await shell.UnreadAsync();
        await evidence.ScreenshotAsync(list.Page, "bell-before");

        var mail = Path.Combine(fixture.Portal.DataDirectory, "mail");
        var before = Directory.Exists(mail) ? Directory.GetFiles(mail, "*.eml").ToHashSet() : [];
        var name = Name("notify");
        var id = (await api.SendAsync(HttpMethod.Post, "api/v1/workspaces", new { name, release_id = "demo-app@1.1.0" }, "created")).GetProperty("workspace_id").GetGuid();
        await Expect(shell.NotificationBell).ToHaveAttributeAsync("aria-label", WorkspacePage.BellLabel(unread + 1), new() { Timeout = 30_000 });
        await evidence.ScreenshotAsync(list.Page, "bell-after");
        await api.GetAsync("api/v1/notifications", "notifications");
        var workspace = await api.GetAsync($"api/v1/workspaces/{id}", "workspace");

        string[] fresh = [];
        var until = TimeProvider.System.GetUtcNow() + Deadline;
        while (TimeProvider.System.GetUtcNow() < until)
        {
            fresh = Directory.Exists(mail) ? Directory.GetFiles(mail, "*.eml").Where(f => !before.Contains(f) && File.ReadAllText(f).Contains(name, StringComparison.Ordinal)).ToArray() : [];
            if (fresh.Length >= 2)
            {
                break;
            }

            await Task.Delay(250, TestContext.Current.CancellationToken);
        }

        var texts = fresh.Select(File.ReadAllText).ToArray();
        await evidence.WriteJsonAsync("emails", texts);
        var requester = texts.SingleOrDefault(t => t.Contains("To: " + SignInPage.Member, StringComparison.OrdinalIgnoreCase) || t.Contains("<" + SignInPage.Member + ">", StringComparison.OrdinalIgnoreCase));
        var admin = texts.SingleOrDefault(t => t.Contains("admin@acme.test", StringComparison.OrdinalIgnoreCase));
        requester.ShouldNotBeNull("the requester's email");
        requester.ShouldContain("The release artifact failed its integrity check.");
        admin.ShouldNotBeNull("the tenant admin's email");
        admin.ShouldContain("checksum_mismatch");
        var correlation = workspace.TryGetProperty("correlation_id", out var c) ? c.GetString() : null;
        if (correlation is not null)
        {
            admin.ShouldContain(correlation);
            requester.ShouldNotContain(correlation);
        }

        // The same two emails in the portal: the tenant admin's sent emails, and the platform admin's outbox.
        var tenantAdmin = await NewTracedContextAsync(evidence);
        await SignInPage.SignInAsync(tenantAdmin, "admin@acme.test");
        var sent = await tenantAdmin.NewPageAsync();
        await sent.GotoAsync("/admin/emails");
        await BrowserFixture.WaitForInteractiveAsync(sent);
        await Expect(sent.Locator("#outbox-messages tr").Filter(new() { HasText = name })).ToHaveCountAsync(2, new() { Timeout = 30_000 });
        await evidence.ScreenshotAsync(sent, "tenant-admin-emails");

        var ops = await NewTracedContextAsync(evidence);
        await SignInPage.SignInAsync(ops, SignInPage.PlatformAdmin);
        var outbox = await ops.NewPageAsync();
        await outbox.GotoAsync("/platform/outbox");
        await BrowserFixture.WaitForInteractiveAsync(outbox);
        var rows = outbox.Locator("#outbox-messages tr").Filter(new() { HasText = name });
        await Expect(rows).ToHaveCountAsync(2, new() { Timeout = 30_000 });
        await Expect(rows.Locator("[data-testid='outbox-tenant']").First).ToHaveTextAsync("acme");
        await Expect(rows.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Resend ") }).First).ToBeEnabledAsync();
        await evidence.ScreenshotAsync(outbox, "platform-outbox");
        Passed();
    }

    [Fact]
    public async Task Isolation_AnotherTenantSeesNotFound_AndAMemberSeesNoAdminMenu()
    {
        var evidence = Evidence.For("isolation");
        using var api = await new Api(fixture.Portal.BaseUrl, evidence).AsAsync(SignInPage.Member);
        var id = (await api.SendAsync(HttpMethod.Post, "api/v1/workspaces", new { name = Name("isolated"), release_id = "demo-app@1.1.0" }, "created")).GetProperty("workspace_id").GetGuid();

        var globex = await NewTracedContextAsync(evidence);
        await SignInPage.SignInAsync(globex, "member@globex.test");
        var page = await globex.NewPageAsync();
        var response = await page.GotoAsync($"/workspaces/{id}");
        await BrowserFixture.WaitForInteractiveAsync(page);
        response.ShouldNotBeNull().Status.ShouldBe(404);
        await Expect(new WorkspacePage(page).Heading).ToHaveTextAsync("Workspace not found");
        await evidence.ScreenshotAsync(page, "globex-not-found");

        var member = await NewTracedContextAsync(evidence);
        await SignInPage.SignInAsync(member);
        var list = await WorkspacesListPage.OpenAsync(member);
        var drawer = new ShellPage(list.Page).Drawer;
        await Expect(drawer.Locator("a[href*='admin']")).ToHaveCountAsync(0);
        await Expect(drawer.Locator("a[href*='platform']")).ToHaveCountAsync(0);
        await evidence.ScreenshotAsync(list.Page, "member-menu");
        Passed();
    }

    private async Task ResetSimulatorAsync()
    {
        using var ops = await new Api(fixture.Portal.BaseUrl, Evidence.For("_setup")).AsAsync(SignInPage.PlatformAdmin);
        await ops.SendAsync(HttpMethod.Delete, "api/v1/platform/simulator/faults");
    }

    private static async Task WaitForAttemptAsync(Api api, Guid id, int attempt)
    {
        var until = TimeProvider.System.GetUtcNow() + Deadline;
        while (true)
        {
            var current = (await api.GetAsync($"api/v1/workspaces/{id}")).GetProperty("attempt").GetInt32();
            if (current >= attempt || TimeProvider.System.GetUtcNow() > until)
            {
                current.ShouldBe(attempt);
                return;
            }

            await Task.Delay(200, TestContext.Current.CancellationToken);
        }
    }

    private static IEnumerable<JsonElement> Items(JsonElement list) =>
        list.ValueKind == JsonValueKind.Array ? list.EnumerateArray()
        : list.TryGetProperty("items", out var items) ? items.EnumerateArray()
        : list.TryGetProperty("events", out var events) ? events.EnumerateArray()
        : [];

    private static string Type(JsonElement e) => e.TryGetProperty("type", out var t) ? t.GetString() ?? "" : "";

    private static string Name(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 9)];
}
