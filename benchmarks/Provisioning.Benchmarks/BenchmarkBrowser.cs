using Microsoft.Playwright;

namespace Provisioning.Benchmarks;

/// <summary>
/// One headless Debian Chromium driven by Playwright for the ui-* benchmarks, launched as tests/E2E's
/// BrowserFixture does (Playwright cannot download its own browser here). Every context it opens is watched for
/// console errors, uncaught script errors and crashed pages: a healthy page has none, and a run with any is invalid.
/// </summary>
internal sealed class BenchmarkBrowser : IAsyncDisposable
{
    /// <summary>What the layout renders once the page's circuit is up (<c>RendererInfo.IsInteractive</c>).</summary>
    public const string InteractiveMarker = "#app-ready[data-interactive='True']";

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

    /// <summary>
    /// A style sheet, added to every document of a context, that stops CSS animations and transitions. Headless
    /// Chromium paints in software here: one page showing a provisioning workspace (striped progress bar, spinning
    /// step icon) keeps repainting, and tens of them take both cores of the machine from the portal they measure.
    /// </summary>
    private const string NoAnimationsScript = """
        (() => {
          const add = () => {
            const style = document.createElement("style");
            style.textContent = "*, *::before, *::after { animation: none !important; transition: none !important; }";
            (document.head || document.documentElement).appendChild(style);
          };
          if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", add); } else { add(); }
        })();
        """;

    private readonly IPlaywright _playwright;
    private readonly Uri _baseUrl;
    private readonly Lock _lock = new();
    private readonly List<string> _errors = [];

    private BenchmarkBrowser(IPlaywright playwright, IBrowser browser, Uri baseUrl)
    {
        _playwright = playwright;
        Browser = browser;
        _baseUrl = baseUrl;
    }

    public IBrowser Browser { get; }

    /// <summary>Errors seen so far in every page of every context, in order.</summary>
    public IReadOnlyList<string> Errors
    {
        get
        {
            lock (_lock)
            {
                return [.. _errors];
            }
        }
    }

    public int ErrorCount
    {
        get
        {
            lock (_lock)
            {
                return _errors.Count;
            }
        }
    }

    public static string Executable =>
        Environment.GetEnvironmentVariable("PORTAL_E2E_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    public static bool IsInstalled => File.Exists(Executable);

    public static async Task<BenchmarkBrowser> LaunchAsync(Uri baseUrl)
    {
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Executable,
            Headless = true,
            Args = ChromiumArguments,
        });
        return new BenchmarkBrowser(playwright, browser, baseUrl);
    }

    /// <summary>
    /// A context on the portal, signed in when <paramref name="storageState"/> (from <see cref="SignInAsync"/>) is
    /// given; without <paramref name="animations"/>, its pages' CSS animations and transitions are stopped.
    /// </summary>
    public async Task<IBrowserContext> NewContextAsync(string? storageState = null, bool animations = true)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = _baseUrl.ToString(),
            ViewportSize = new ViewportSize { Width = 1280, Height = 800 },
            ColorScheme = ColorScheme.Light,
            Locale = "en-GB",
            StorageState = storageState,
        });
        context.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                AddError($"console: {message.Text} ({message.Location})");
            }
        };
        context.WebError += (_, error) => AddError($"page error: {error.Error}");
        context.Page += (_, page) => page.Crash += (_, _) => AddError($"page crashed: {page.Url}");
        if (!animations)
        {
            await context.AddInitScriptAsync(NoAnimationsScript);
        }

        return context;
    }

    /// <summary>
    /// Signs <paramref name="email"/> in through the real form at <c>/signin</c> (a static page: a plain HTML post
    /// sets the Identity cookie) and returns the context's storage state, so further contexts start signed in.
    /// </summary>
    public async Task<string> SignInAsync(string email, string password)
    {
        await using var context = await NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync("/signin");
        await page.Locator("#signin-email").FillAsync(email);
        await page.Locator("#signin-password").FillAsync(password);
        await page.Locator("#signin-submit").ClickAsync();
        await WaitForInteractiveAsync(page);
        var state = await context.StorageStateAsync();
        // Leaving the page makes Blazor send its disconnect beacon: the portal drops the circuit now, instead of
        // keeping it as a disconnected circuit for minutes (which ui-memory would count).
        await page.GotoAsync("about:blank");
        return state;
    }

    /// <summary>Waits until the page's circuit is up: before that, the page is only its prerendered HTML.</summary>
    public static Task WaitForInteractiveAsync(IPage page, float timeoutMs = 30_000) =>
        page.Locator(InteractiveMarker).WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Attached, Timeout = timeoutMs });

    private void AddError(string error)
    {
        lock (_lock)
        {
            _errors.Add(error);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Browser.CloseAsync();
        _playwright.Dispose();
    }
}
