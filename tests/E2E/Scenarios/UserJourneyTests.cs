using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using E2E.Infrastructure;
using E2E.Pages;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace E2E.Scenarios;

/// <summary>
/// A portal of its own for the user journey: short readiness and retry delays so a scenario takes seconds, and no
/// other scenario publishing or removing the release it depends on.
/// </summary>
public sealed class UserJourneyFixture : IAsyncLifetime
{
    public PortalProcess Portal { get; } = CreatePortal();

    public BrowserFixture Browser { get; } = new();

    public Task<IBrowserContext> NewContextAsync(ViewportSize? viewport = null) => Browser.NewContextAsync(Portal.BaseUrl, viewport);

    public async ValueTask InitializeAsync() =>
        await Task.WhenAll(Portal.StartAsync(), Browser.InitializeAsync().AsTask());

    public async ValueTask DisposeAsync()
    {
        await Browser.DisposeAsync();
        await Portal.DisposeAsync();
    }

    private static PortalProcess CreatePortal()
    {
        var portal = PortalProcess.Create("user-journey");
        portal.EnvironmentVariables["Simulator__ReadinessDelay"] = "00:00:01";
        portal.EnvironmentVariables["Provisioning__Retry__BaseDelay"] = "00:00:01";
        return portal;
    }
}

/// <summary>
/// What a member does in a browser (issue 4's acceptance): sign in, request a workspace whose release is missing,
/// see it fail with the release message, be refused a retry while the release is still missing, and — once an
/// operator has published the artifact — retry and watch it become ready, all on one page that is never reloaded.
/// </summary>
public sealed class UserJourneyTests(UserJourneyFixture fixture) : IClassFixture<UserJourneyFixture>
{
    private const string MissingRelease = "demo-app@2.0.0";
    private const string ReleaseMessage = "The release artifact is not available. An administrator has been notified; retry once it is published.";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly Evidence _evidence = Evidence.For("user-journey");

    [Fact]
    public async Task Member_CreatesAWorkspaceOnAMissingRelease_RetriesOnceItIsPublished_AndSeesItReady()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var context = await fixture.NewContextAsync(BrowserFixture.Desktop);
        var browserErrors = BrowserErrors.Watch(context);
        var name = $"journey-{Guid.NewGuid():N}"[..20];

        // Signed out, the workspaces page sends the member to sign in, and back afterwards.
        var page = await context.NewPageAsync();
        await page.GotoAsync("/workspaces");
        var signIn = new SignInPage(page);
        await Expect(signIn.Heading).ToHaveTextAsync("Sign in");
        page.Url.ShouldContain("ReturnUrl=%2Fworkspaces");
        await signIn.SubmitAsync(SignInPage.Member, "not-the-password");
        await Expect(signIn.Error).ToContainTextAsync("The email or password is not right");
        await _evidence.ScreenshotAsync(page, "sign-in-refused");
        await signIn.SubmitAsync(SignInPage.Member, SignInPage.DemoPassword);
        await BrowserFixture.WaitForInteractiveAsync(page);
        var list = new WorkspacesListPage(page);
        await Expect(list.Heading).ToHaveTextAsync("Workspaces");
        new Uri(page.Url).AbsolutePath.ShouldBe("/workspaces");
        await _evidence.ScreenshotAsync(page, "workspaces");

        var unreadBefore = await new WorkspacePage(page).UnreadAsync();

        // The dialog checks the name with the API's rules before anything is sent.
        await list.OpenCreateDialogAsync();
        await Expect(list.Dialog).ToBeVisibleAsync();
        await list.NameField.FillAsync("Not A Valid Name");
        await Expect(list.NameError).ToContainTextAsync("lowercase letters, digits and hyphens");
        await _evidence.ScreenshotAsync(page, "create-dialog-invalid-name");
        await list.NameField.FillAsync(name);
        await Expect(list.NameError).ToHaveCountAsync(0);
        await list.ChooseReleaseAsync(MissingRelease);
        await Expect(list.UnavailableReleaseWarning).ToBeVisibleAsync();
        await _evidence.ScreenshotAsync(page, "create-dialog");
        await list.CreateButton.ClickAsync();

        // The new workspace's page: it fails at fetch_release with the catalogue's words, the code and Retry.
        await page.WaitForURLAsync(WorkspacePage.WorkspaceAddress());
        var workspace = new WorkspacePage(page);
        await Expect(workspace.Heading).ToHaveTextAsync(name);
        await page.EvaluateAsync("() => { window.__sameDocument = true; }");
        await Expect(workspace.Status("error")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Expect(workspace.ErrorMessage).ToHaveTextAsync(ReleaseMessage);
        await Expect(workspace.ErrorCode).ToContainTextAsync("release_unavailable");
        await Expect(workspace.RetryButton).ToBeEnabledAsync();
        await Expect(workspace.Step("fetch_release")).ToHaveAttributeAsync("data-status", "failed");
        await Expect(workspace.TimelineFailures.First).ToBeVisibleAsync();
        // The failure notification reached the bell live.
        await Expect(workspace.NotificationBell).ToHaveAttributeAsync("aria-label", WorkspacePage.BellLabel(unreadBefore + 1));
        await _evidence.ScreenshotAsync(page, "failed");

        // Retry while the artifact is still missing: refused, and said so in place; the workspace stays in error.
        await workspace.RetryButton.ClickAsync();
        await Expect(workspace.RetryRefusal).ToContainTextAsync("The release is still unavailable.");
        await Expect(workspace.Status("error")).ToBeVisibleAsync();
        await Expect(workspace.RetryButton).ToBeEnabledAsync();
        await _evidence.ScreenshotAsync(page, "retry-refused");

        // An operator publishes the artifact (through the API, as the platform page would).
        var published = await PublishArtifactAsync(cancellationToken);
        await _evidence.WriteJsonAsync("artifact-published", published);

        // Retry again: progress shows, then ready, without the page being reloaded.
        await workspace.RetryButton.ClickAsync();
        await Expect(workspace.Progress).ToBeVisibleAsync();
        await Expect(workspace.ErrorAlert).ToHaveCountAsync(0);
        await _evidence.ScreenshotAsync(page, "retrying");
        await Expect(workspace.Ready).ToBeVisibleAsync(new() { Timeout = 60_000 });
        await Expect(workspace.Status("ready")).ToBeVisibleAsync();
        await Expect(workspace.Progress).ToHaveCountAsync(0);
        (await workspace.Steps.CountAsync()).ShouldBe(7);
        foreach (var step in await workspace.Steps.AllAsync())
        {
            (await step.GetAttributeAsync("data-status")).ShouldBe("success");
        }

        await _evidence.ScreenshotAsync(page, "ready");
        (await page.EvaluateAsync<bool>("() => window.__sameDocument === true")).ShouldBeTrue("the page was reloaded");

        // The list shows the same status, and the bell lists what happened.
        await workspace.NotificationBell.ClickAsync();
        await Expect(page.Locator("#notification-list:popover-open .notification-item").First).ToBeVisibleAsync();
        await _evidence.ScreenshotAsync(page, "notifications");
        await page.Keyboard.PressAsync("Escape");
        await Expect(page.Locator("#notification-list")).ToBeHiddenAsync();

        // The same page in the dark theme.
        await new ShellPage(page).ToggleThemeAsync("dark");
        await _evidence.ScreenshotAsync(page, "ready-dark");
        browserErrors.Errors.ShouldBeEmpty();
    }

    [Fact]
    public async Task WorkspacePages_AtPhoneWidth_FitTheScreen()
    {
        await using var context = await fixture.NewContextAsync(BrowserFixture.Phone);
        var browserErrors = BrowserErrors.Watch(context);
        var signIn = await SignInPage.OpenAsync(context);
        (await OverflowsAsync(signIn.Page)).ShouldBeFalse("the sign-in page is wider than the phone");
        await _evidence.ScreenshotAsync(signIn.Page, "phone-sign-in");
        await signIn.SubmitAsync(SignInPage.Member, SignInPage.DemoPassword);
        await BrowserFixture.WaitForInteractiveAsync(signIn.Page);
        var page = signIn.Page;
        var list = new WorkspacesListPage(page);
        await Expect(list.Heading).ToHaveTextAsync("Workspaces");

        // A workspace that fails at once, so the page shows the alert, the steps and the timeline.
        await list.OpenCreateDialogAsync();
        var name = $"phone-{Guid.NewGuid():N}"[..16];
        await list.NameField.FillAsync(name);
        await list.ChooseReleaseAsync("demo-app@1.1.0");
        await _evidence.ScreenshotAsync(page, "phone-create-dialog");
        (await OverflowsAsync(page)).ShouldBeFalse("the dialog is wider than the phone");
        await list.CreateButton.ClickAsync();
        await page.WaitForURLAsync(WorkspacePage.WorkspaceAddress());
        var workspace = new WorkspacePage(page);
        await Expect(workspace.Status("error")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Expect(workspace.ErrorCode).ToContainTextAsync("checksum_mismatch");
        (await OverflowsAsync(page)).ShouldBeFalse("the workspace page is wider than the phone");
        await _evidence.ScreenshotAsync(page, "phone-workspace-failed");

        await page.Locator("#back-to-workspaces").ClickAsync();
        await Expect(list.RowStatus(name, "error")).ToBeVisibleAsync();
        (await OverflowsAsync(page)).ShouldBeFalse("the list is wider than the phone");
        await _evidence.ScreenshotAsync(page, "phone-workspaces");
        browserErrors.Errors.ShouldBeEmpty();
    }

    [Fact]
    public async Task SignOut_FromTheUserMenu_EndsTheSession_AndPagesAskForSignInAgain()
    {
        await using var context = await fixture.NewContextAsync(BrowserFixture.Desktop);
        await SignInPage.SignInAsync(context);
        var list = await WorkspacesListPage.OpenAsync(context);
        var page = list.Page;

        await page.Locator("header button[aria-label^='Account menu']").ClickAsync();
        await Expect(page.Locator("#user-menu-email")).ToHaveTextAsync(SignInPage.Member);
        await _evidence.ScreenshotAsync(page, "user-menu");
        await page.Locator("#signout-button").ClickAsync();

        await Expect(new SignInPage(page).Heading).ToHaveTextAsync("Sign in");
        await page.GotoAsync("/workspaces");
        new Uri(page.Url).AbsolutePath.ShouldBe("/signin");

        // Another tenant's or an unknown workspace is "not found", never an error page.
        await SignInPage.SignInAsync(context);
        var unknown = await context.NewPageAsync();
        var response = await unknown.GotoAsync($"/workspaces/{Guid.NewGuid()}");
        await BrowserFixture.WaitForInteractiveAsync(unknown);
        response.ShouldNotBeNull().Status.ShouldBe(404);
        await Expect(new WorkspacePage(unknown).Heading).ToHaveTextAsync("Workspace not found");
    }

    [Fact]
    public async Task WorkspacesList_ShowsNewWorkspacesAndTheirStatusLive_AndSearchesByName()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var context = await fixture.NewContextAsync(BrowserFixture.Desktop);
        var browserErrors = BrowserErrors.Watch(context);
        await SignInPage.SignInAsync(context);
        var list = await WorkspacesListPage.OpenAsync(context);
        await list.Page.EvaluateAsync("() => { window.__sameDocument = true; }");
        var name = $"live-{Guid.NewGuid():N}"[..14];

        // Requested elsewhere (the API), seen here without a reload, ending in error (the checksum does not match).
        using var http = new HttpClient { BaseAddress = fixture.Portal.BaseUrl };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await SignInPage.TokenAsync(http, SignInPage.Member, cancellationToken));
        using var created = await http.PostAsJsonAsync("api/v1/workspaces", new { name, release_id = "demo-app@1.1.0" }, cancellationToken);
        created.IsSuccessStatusCode.ShouldBeTrue();

        await Expect(list.Row(name)).ToBeVisibleAsync();
        await Expect(list.RowStatus(name, "error")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await _evidence.ScreenshotAsync(list.Page, "list-live");

        await list.Search.FillAsync(name[..10]);
        await Expect(list.Table.Locator("tbody tr")).ToHaveCountAsync(1);
        await Expect(list.Row(name)).ToBeVisibleAsync();
        await list.Search.FillAsync("no-such-workspace-name");
        await Expect(list.Page.Locator("[data-testid=no-workspaces]")).ToHaveTextAsync("No workspaces match these filters.");
        (await list.Page.EvaluateAsync<bool>("() => window.__sameDocument === true")).ShouldBeTrue("the page was reloaded");

        // Delete, after a confirmation.
        await list.Search.FillAsync(name);
        await list.Row(name).Locator("a").ClickAsync();
        var workspace = new WorkspacePage(list.Page);
        await Expect(workspace.Status("error")).ToBeVisibleAsync();
        await workspace.DeleteButton.ClickAsync();
        await Expect(workspace.ConfirmDialog).ToContainTextAsync($"Delete {name}?");
        await _evidence.ScreenshotAsync(list.Page, "delete-confirmation");
        await workspace.ConfirmDialog.GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();
        await Expect(workspace.Status("deleted")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Expect(workspace.DeleteButton).ToHaveCountAsync(0);
        browserErrors.Errors.ShouldBeEmpty();
    }

    [Fact]
    public async Task WorkspacePage_AfterThePortalRestarts_ComesBackWithTheCurrentState()
    {
        Assert.SkipWhen(fixture.Portal.IsExternal, $"{PortalProcess.BaseUrlVariable} is set: the tests cannot restart a portal they did not start.");
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var context = await fixture.NewContextAsync(BrowserFixture.Desktop);
        await SignInPage.SignInAsync(context);
        using var http = new HttpClient { BaseAddress = fixture.Portal.BaseUrl };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await SignInPage.TokenAsync(http, SignInPage.Member, cancellationToken));
        using var created = await http.PostAsJsonAsync("api/v1/workspaces", new { name = $"restart-{Guid.NewGuid():N}"[..16], release_id = "ubuntu-vm@24.04" }, cancellationToken);
        created.IsSuccessStatusCode.ShouldBeTrue();
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>(Json, cancellationToken)).GetProperty("workspace_id").GetGuid();
        var page = await BrowserFixture.OpenAsync(context, $"/workspaces/{id}");
        var workspace = new WorkspacePage(page);
        await Expect(workspace.Status("ready")).ToBeVisibleAsync(new() { Timeout = 60_000 });

        // The circuit dies with the process; a request made meanwhile changes the workspace.
        await fixture.Portal.StopAsync();
        await Expect(page.Locator("#components-reconnect-modal")).ToBeVisibleAsync();
        await fixture.Portal.StartAsync(cancellationToken);
        using var deleted = await http.DeleteAsync($"api/v1/workspaces/{id}", cancellationToken);
        deleted.IsSuccessStatusCode.ShouldBeTrue();

        // Back on a new circuit, the page shows what is true now, not what it showed before.
        await Expect(workspace.Status("deleted")).ToBeVisibleAsync(new() { Timeout = 60_000 });
        await BrowserFixture.WaitForInteractiveAsync(page);
        await _evidence.ScreenshotAsync(page, "after-restart");
    }

    private static Task<bool> OverflowsAsync(IPage page) =>
        page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth > window.innerWidth");

    /// <summary>Signs in to the API as the platform admin and uploads the bytes of a good artifact for the missing release.</summary>
    private async Task<JsonElement> PublishArtifactAsync(CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = fixture.Portal.BaseUrl };
        var token = await SignInPage.TokenAsync(http, SignInPage.PlatformAdmin, cancellationToken);

        var bytes = await File.ReadAllBytesAsync(Path.Combine(RepositoryPaths.PortalProject, "DemoData", "releases", "demo-app-1.0.0.json"), cancellationToken);
        using var request = new HttpRequestMessage(HttpMethod.Put, $"api/v1/platform/releases/{Uri.EscapeDataString(MissingRelease)}/artifact")
        {
            Content = new ByteArrayContent(bytes),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request, cancellationToken);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(Json, cancellationToken);
        response.IsSuccessStatusCode.ShouldBeTrue($"publishing the artifact answered {(int)response.StatusCode}: {body}");
        return body;
    }
}
