using Microsoft.Playwright;

namespace E2E.Infrastructure;

/// <summary>One headless Debian Chromium driven by Playwright; each test opens its own context (cookies, viewport).</summary>
/// <remarks>
/// Playwright's own browser download is not available here, so the fixture launches the system Chromium
/// (<c>apt-get install chromium</c>; scripts/test.sh installs it). <c>PORTAL_E2E_CHROMIUM</c> overrides the path.
/// </remarks>
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string InteractiveMarker = "#app-ready[data-interactive='True']";

    public static readonly ViewportSize Desktop = new() { Width = 1280, Height = 800 };
    public static readonly ViewportSize Phone = new() { Width = 390, Height = 844 };

    // Without the background-networking flags Chromium keeps trying to reach Google's services on a closed network.
    private static readonly string[] ChromiumArguments =
    [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ];

    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public IBrowser Browser => _browser ?? throw new InvalidOperationException("The browser is not launched yet.");

    public async ValueTask InitializeAsync()
    {
        var executable = Environment.GetEnvironmentVariable("PORTAL_E2E_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";
        if (!File.Exists(executable))
        {
            throw new InvalidOperationException($"Chromium is missing at '{executable}': run 'apt-get install -y chromium' (scripts/test.sh does).");
        }

        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = executable,
            Headless = true,
            Args = ChromiumArguments,
        });
    }

    /// <summary>A fresh context whose relative URLs resolve against <paramref name="baseUrl"/>; dispose it when done.</summary>
    public Task<IBrowserContext> NewContextAsync(Uri baseUrl, ViewportSize? viewport = null) =>
        Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseUrl.ToString(),
            ViewportSize = viewport ?? Desktop,
            ColorScheme = ColorScheme.Light,
            Locale = "en-GB",
        });

    /// <summary>Opens <paramref name="path"/> in a new page and waits until the Blazor circuit is up.</summary>
    public static async Task<IPage> OpenAsync(IBrowserContext context, string path = "/")
    {
        var page = await context.NewPageAsync();
        await page.GotoAsync(path);
        await WaitForInteractiveAsync(page);
        return page;
    }

    /// <summary>
    /// Waits for the marker the layout renders once interactive: before that, clicks are lost because the
    /// prerendered page has no circuit behind it yet.
    /// </summary>
    public static Task WaitForInteractiveAsync(IPage page) =>
        page.Locator(InteractiveMarker).WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Attached });

    public async ValueTask DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.CloseAsync();
        }

        _playwright?.Dispose();
    }
}
