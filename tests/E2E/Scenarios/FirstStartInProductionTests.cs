using System.Text.RegularExpressions;
using E2E.Infrastructure;
using E2E.Pages;
using Microsoft.Playwright;
using TestIdentityProvider;
using static Microsoft.Playwright.Assertions;
using TestIdp = TestIdentityProvider.TestIdentityProvider;

namespace E2E.Scenarios;

/// <summary>
/// Issue 14 from an empty database, as a real deployment starts: the bootstrap admin signs in, creates a tenant and
/// invites its tenant admin, who accepts from the email's link and invites a member, who accepts too; each then signs
/// in with their password; a third person signs in with the company's identity provider (a real OpenID Connect server).
/// </summary>
[Collection(PortalCollection.Name)]
public sealed partial class FirstStartInProductionTests(PortalFixture fixture)
{
    private const string BootstrapAdmin = "root@initech.example";
    private const string BootstrapPassword = "Initech-first-admin-1";
    private const string TenantAdmin = "lumbergh@initech.example";
    private const string TenantAdminPassword = "Lumbergh-pass-42";
    private const string Member = "peter@initech.example";
    private const string MemberPassword = "Peter-gibbons-7";
    private const string ProviderUser = "milton@initech.example";
    private const string ProviderPassword = "Stapler-red-1";

    private readonly Evidence _evidence = Evidence.For("first-start");

    [Fact]
    public async Task FromAnEmptyDatabase_TheBootstrapAdminCreatesATenant_InvitationsMakeItsPeople_AndEachSignsIn()
    {
        Assert.SkipWhen(fixture.Portal.IsExternal, $"{PortalProcess.BaseUrlVariable} is set: this scenario needs a portal with an empty database of its own.");
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var provider = await TestIdp.StartAsync(new TestIdentityProviderOptions(), cancellationToken);
        provider.AddUser(new TestIdentityUser("milton-1", ProviderUser, ProviderPassword));
        await using var portal = PortalProcess.Create("first-start");
        portal.EnvironmentVariables["Portal__SeedDemoData"] = "false";
        portal.EnvironmentVariables["Portal__PublicBaseUrl"] = portal.BaseUrl.ToString();
        portal.EnvironmentVariables["Portal__Bootstrap__AdminEmail"] = BootstrapAdmin;
        portal.EnvironmentVariables["Portal__Bootstrap__AdminPassword"] = BootstrapPassword;
        portal.EnvironmentVariables["Mail__Delivery__PollInterval"] = "00:00:00.200";
        portal.EnvironmentVariables["Authentication__Oidc__Authority"] = provider.Authority.ToString();
        portal.EnvironmentVariables["Authentication__Oidc__ClientId"] = "portal";
        portal.EnvironmentVariables["Authentication__Oidc__ClientSecret"] = "portal-test-secret";
        portal.EnvironmentVariables["Authentication__Oidc__DisplayName"] = "Initech ID";
        portal.EnvironmentVariables["Authentication__Oidc__RequireHttpsMetadata"] = "false";
        await provider.AddRedirectUriAsync(new Uri(portal.BaseUrl, "signin-oidc"));
        await portal.StartAsync(cancellationToken);

        await using (var root = await fixture.Browser.NewContextAsync(portal.BaseUrl, BrowserFixture.Desktop))
        {
            await SignInPage.SignInAsync(root, BootstrapAdmin, BootstrapPassword);
            var page = await BrowserFixture.OpenAsync(root, "/platform/tenants");
            await page.Locator("#tenant-id").FillAsync("initech");
            await page.Locator("#tenant-name").FillAsync("Initech");
            await page.Locator("#create-tenant").ClickAsync();
            await Expect(page.Locator("[data-tenant=initech]")).ToContainTextAsync("Initech");
            await _evidence.ScreenshotAsync(page, "bootstrap-admin-created-tenant");

            page = await BrowserFixture.OpenAsync(root, "/admin/users");
            await InviteAsync(page, TenantAdmin, "Tenant admin", tenant: "Initech (initech)");
            await _evidence.ScreenshotAsync(page, "tenant-admin-invited");
        }

        await AcceptAsync(portal, TenantAdmin, TenantAdminPassword);

        await using (var admin = await fixture.Browser.NewContextAsync(portal.BaseUrl, BrowserFixture.Desktop))
        {
            await SignInPage.SignInAsync(admin, TenantAdmin, TenantAdminPassword);
            var page = await BrowserFixture.OpenAsync(admin, "/admin/users");
            await Expect(page.Locator($"[data-user='{TenantAdmin}']")).ToContainTextAsync("(you)");
            await InviteAsync(page, Member, "Member");
            await InviteAsync(page, ProviderUser, "Member");
            await _evidence.ScreenshotAsync(page, "tenant-admin-invited-members");
        }

        await AcceptAsync(portal, Member, MemberPassword);

        await using (var member = await fixture.Browser.NewContextAsync(portal.BaseUrl, BrowserFixture.Desktop))
        {
            await SignInPage.SignInAsync(member, Member, MemberPassword);
            var page = await BrowserFixture.OpenAsync(member, "/");
            await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync("Workspaces");
            await _evidence.ScreenshotAsync(page, "member-signed-in-with-password");
        }

        await using (var milton = await fixture.Browser.NewContextAsync(portal.BaseUrl, BrowserFixture.Desktop))
        {
            var signIn = await SignInPage.OpenAsync(milton);
            await _evidence.ScreenshotAsync(signIn.Page, "sign-in-offers-the-provider");
            await signIn.Page.Locator("#signin-sso").ClickAsync();
            await Expect(signIn.Page).ToHaveTitleAsync("Test identity provider");
            await signIn.Page.GetByLabel("Email").FillAsync(ProviderUser);
            await signIn.Page.GetByLabel("Password").FillAsync(ProviderPassword);
            await _evidence.ScreenshotAsync(signIn.Page, "identity-provider-sign-in");
            await signIn.Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
            await signIn.Page.WaitForURLAsync(new Regex($"^{Regex.Escape(portal.BaseUrl.ToString())}"));
            await BrowserFixture.WaitForInteractiveAsync(signIn.Page);
            await Expect(signIn.Page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync("Workspaces");
            await _evidence.ScreenshotAsync(signIn.Page, "signed-in-with-the-provider");
        }

        await using (var admin = await fixture.Browser.NewContextAsync(portal.BaseUrl, BrowserFixture.Desktop))
        {
            await SignInPage.SignInAsync(admin, TenantAdmin, TenantAdminPassword);
            var page = await BrowserFixture.OpenAsync(admin, "/admin/users");
            foreach (var person in new[] { TenantAdmin, Member, ProviderUser })
            {
                await Expect(page.Locator($"[data-user='{person}'] [data-status]")).ToHaveAttributeAsync("data-status", "enabled");
            }

            await Expect(page.Locator("[data-testid=invitations]")).ToHaveCountAsync(0);
            await _evidence.ScreenshotAsync(page, "everyone-in-no-invitation-left");
        }
    }

    private static async Task InviteAsync(IPage page, string email, string role, string? tenant = null)
    {
        await page.Locator("#invite-email").FillAsync(email);
        await MudSelects.ChooseAsync(page, page.Locator("#invite-role"), role);
        if (tenant is not null)
        {
            await MudSelects.ChooseAsync(page, page.Locator("#invite-tenant"), tenant);
        }

        await page.Locator("#invite-submit").ClickAsync();
        await Expect(page.Locator($"[data-invitation='{email}'] [data-status]")).ToHaveAttributeAsync("data-status", "pending");
    }

    /// <summary>Opens the link of the invitation email to <paramref name="email"/>, as its reader would, and sets the password.</summary>
    private async Task AcceptAsync(PortalProcess portal, string email, string password)
    {
        var link = await InvitationLinkAsync(portal, email);
        await using var context = await fixture.Browser.NewContextAsync(portal.BaseUrl, BrowserFixture.Desktop);
        var page = await context.NewPageAsync();
        await page.GotoAsync(link);
        await Expect(page.Locator("#accept-invitation-who")).ToContainTextAsync(email);
        await page.Locator("#accept-invitation-password").FillAsync(password);
        await page.Locator("#accept-invitation-confirm").FillAsync(password);
        await _evidence.ScreenshotAsync(page, $"accept-invitation-{email.Split('@')[0]}");
        await page.Locator("#accept-invitation-submit").ClickAsync();
        await page.WaitForURLAsync(url => !url.Contains("accept-invitation", StringComparison.Ordinal));
        await BrowserFixture.WaitForInteractiveAsync(page);
        await _evidence.ScreenshotAsync(page, $"signed-in-after-accepting-{email.Split('@')[0]}");
    }

    /// <summary>The link in the invitation email the portal wrote to its pickup folder, waited for with a deadline.</summary>
    private static async Task<string> InvitationLinkAsync(PortalProcess portal, string email)
    {
        var folder = Path.Combine(portal.DataDirectory, "mail");
        var deadline = TimeProvider.System.GetUtcNow().AddSeconds(30);
        while (true)
        {
            var mail = Directory.Exists(folder)
                ? Directory.GetFiles(folder, "*.eml").Select(path => MimeKit.MimeMessage.Load(path)).FirstOrDefault(m => m.To.Mailboxes.Any(a => a.Address == email))
                : null;
            if (mail?.TextBody is { } text && AcceptLink().Match(text) is { Success: true } match)
            {
                return match.Value;
            }

            if (TimeProvider.System.GetUtcNow() > deadline)
            {
                throw new TimeoutException($"No invitation email to {email} in {folder} within 30 s.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), TestContext.Current.CancellationToken);
        }
    }

    [GeneratedRegex(@"https?://[^\s""<>]+/account/accept-invitation\?token=[A-Za-z0-9_%-]+")]
    private static partial Regex AcceptLink();
}
