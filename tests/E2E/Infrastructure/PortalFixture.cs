using Microsoft.Playwright;

namespace E2E.Infrastructure;

/// <summary>One portal process and one browser shared by every test in <see cref="PortalCollection"/>.</summary>
public sealed class PortalFixture : IAsyncLifetime
{
    public PortalProcess Portal { get; } = PortalProcess.Create("portal");

    public BrowserFixture Browser { get; } = new();

    /// <summary>A fresh browser context pointed at the portal; dispose it at the end of the test.</summary>
    public Task<IBrowserContext> NewContextAsync(ViewportSize? viewport = null) =>
        Browser.NewContextAsync(Portal.BaseUrl, viewport);

    public async ValueTask InitializeAsync()
    {
        // The portal and Chromium start independently; starting both at once saves a few seconds.
        await Task.WhenAll(Portal.StartAsync(), Browser.InitializeAsync().AsTask());
    }

    public async ValueTask DisposeAsync()
    {
        await Browser.DisposeAsync();
        await Portal.DisposeAsync();
    }
}

/// <summary>
/// Tests in this collection share the portal of <see cref="PortalFixture"/> and run one after another.
/// A scenario that restarts or kills the portal creates its own <see cref="PortalProcess"/> instead.
/// </summary>
[CollectionDefinition(Name)]
public sealed class PortalCollection : ICollectionFixture<PortalFixture>
{
    public const string Name = "Portal";
}
