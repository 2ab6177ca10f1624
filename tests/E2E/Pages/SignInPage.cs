using System.Net.Http.Json;
using System.Text.Json;
using E2E.Infrastructure;
using Microsoft.Playwright;

namespace E2E.Pages;

/// <summary>The sign-in form at <c>/signin</c>: a static page (no circuit), so it is driven as a plain HTML form.</summary>
public sealed class SignInPage(IPage page)
{
    /// <summary>The demo users' password (DESIGN §10; demo data only).</summary>
    public const string DemoPassword = "Portal-demo-1!";

    public const string Member = "member@acme.test";

    public const string PlatformAdmin = "ops@platform.test";

    public IPage Page { get; } = page;

    public ILocator Heading => Page.Locator("#signin h1");

    public ILocator Email => Page.Locator("#signin-email");

    public ILocator Password => Page.Locator("#signin-password");

    public ILocator Submit => Page.Locator("#signin-submit");

    public ILocator Error => Page.Locator("#signin-error");

    /// <summary>Opens the sign-in page in a new page of <paramref name="context"/>.</summary>
    public static async Task<SignInPage> OpenAsync(IBrowserContext context, string? returnUrl = null)
    {
        var page = await context.NewPageAsync();
        await page.GotoAsync(returnUrl is null ? "/signin" : $"/signin?ReturnUrl={Uri.EscapeDataString(returnUrl)}");
        return new SignInPage(page);
    }

    /// <summary>Signs <paramref name="email"/> in on a fresh page of <paramref name="context"/> (the cookie then serves every page of it) and closes that page.</summary>
    public static async Task SignInAsync(IBrowserContext context, string email = Member, string password = DemoPassword)
    {
        var signIn = await OpenAsync(context);
        await signIn.SubmitAsync(email, password);
        await BrowserFixture.WaitForInteractiveAsync(signIn.Page);
        await signIn.Page.CloseAsync();
    }

    /// <summary>A bearer token for <paramref name="email"/> from the portal <paramref name="http"/> talks to, for the API calls a scenario makes beside the browser.</summary>
    public static async Task<string> TokenAsync(HttpClient http, string email, CancellationToken cancellationToken)
    {
        using var login = await http.PostAsJsonAsync("api/v1/auth/login", new { email, password = DemoPassword }, cancellationToken);
        login.EnsureSuccessStatusCode();
        return (await login.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("access_token").GetString()!;
    }

    /// <summary>
    /// Fills the form and posts it. The browser then loads the answer (this page with an error, or the page signed
    /// in to): wait on what that page shows.
    /// </summary>
    public async Task SubmitAsync(string email, string password)
    {
        await Email.FillAsync(email);
        await Password.FillAsync(password);
        await Submit.ClickAsync();
    }
}
