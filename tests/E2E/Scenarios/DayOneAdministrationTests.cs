using E2E.Infrastructure;
using E2E.Pages;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace E2E.Scenarios;

/// <summary>
/// Issue 14 in the browser, on a portal of its own (its demo people are changed): a platform admin creates a tenant and
/// deactivates another, whose member is then told at sign-in; a tenant admin disables a member, who is told the same.
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class DayOneAdministrationTests(PortalFixture fixture)
{
    private const string NotAllowed = "This account cannot sign in now";

    private readonly Evidence _evidence = Evidence.For("day-one");

    [Fact]
    public async Task APlatformAdminManagesTenants_ATenantAdminManagesUsers_AndThoseSwitchedOffAreToldAtSignIn()
    {
        Assert.SkipWhen(fixture.Portal.IsExternal, $"{PortalProcess.BaseUrlVariable} is set: this scenario changes the demo people of a portal of its own.");
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var portal = PortalProcess.Create("day-one");
        await portal.StartAsync(cancellationToken);

        await using (var ops = await fixture.Browser.NewContextAsync(portal.BaseUrl, BrowserFixture.Desktop))
        {
            await SignInPage.SignInAsync(ops, SignInPage.PlatformAdmin);
            var page = await BrowserFixture.OpenAsync(ops, "/platform/tenants");
            await Expect(page.Locator("[data-tenant=globex]")).ToBeVisibleAsync();

            await page.Locator("#tenant-id").FillAsync("initech");
            await page.Locator("#tenant-name").FillAsync("Initech");
            await page.Locator("#create-tenant").ClickAsync();
            await Expect(page.Locator("[data-tenant=initech]")).ToContainTextAsync("Initech");

            await page.GetByRole(AriaRole.Button, new() { Name = "Deactivate Globex" }).ClickAsync();
            await Expect(page.Locator(".mud-dialog")).ToContainTextAsync("will no longer be able to sign in");
            await page.Locator(".mud-dialog").GetByRole(AriaRole.Button, new() { Name = "Deactivate" }).ClickAsync();
            await Expect(page.Locator("[data-tenant=globex] [data-status]")).ToHaveAttributeAsync("data-status", "deactivated");
            await _evidence.ScreenshotAsync(page, "tenants-created-and-deactivated");
        }

        await SignInRefusedAsync(portal, "member@globex.test", "globex-member-refused");

        await using (var admin = await fixture.Browser.NewContextAsync(portal.BaseUrl, BrowserFixture.Desktop))
        {
            await SignInPage.SignInAsync(admin, "admin@acme.test");
            var page = await BrowserFixture.OpenAsync(admin, "/admin/users");
            await page.GetByRole(AriaRole.Button, new() { Name = "Disable member@acme.test" }).ClickAsync();
            await Expect(page.Locator("[data-user='member@acme.test'] [data-status]")).ToHaveAttributeAsync("data-status", "disabled");
            await _evidence.ScreenshotAsync(page, "users-member-disabled");
        }

        await SignInRefusedAsync(portal, SignInPage.Member, "acme-member-refused");
    }

    private async Task SignInRefusedAsync(PortalProcess portal, string email, string screenshot)
    {
        await using var context = await fixture.Browser.NewContextAsync(portal.BaseUrl, BrowserFixture.Desktop);
        var signIn = await SignInPage.OpenAsync(context);
        await signIn.SubmitAsync(email, SignInPage.DemoPassword);
        await Expect(signIn.Error).ToContainTextAsync(NotAllowed);
        await _evidence.ScreenshotAsync(signIn.Page, screenshot);
    }
}
