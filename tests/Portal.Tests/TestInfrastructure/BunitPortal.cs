using System.Text.Json;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MudBlazor.Services;
using Portal.Security;
using Provisioning.Core.Workspaces;

namespace Portal.Tests.TestInfrastructure;

/// <summary>
/// A bUnit context with MudBlazor's services, for components of the portal. Dispose it asynchronously
/// (<c>await using</c>): some MudBlazor services are only <see cref="IAsyncDisposable"/>.
/// </summary>
public static class BunitPortal
{
    public static BunitContext Create(TimeProvider? time = null)
    {
        var ctx = new BunitContext();
        ctx.Services.AddMudServices();
        // The pages that create and retry ask the throttle first; a test that wants it tight registers its own.
        ctx.Services.AddSingleton(new PortalThrottle(Options.Create(new ThrottlingOptions())));
        if (time is not null)
        {
            // After MudBlazor's own registration: the last one wins.
            ctx.Services.AddSingleton(time);
        }

        ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        return ctx;
    }
}

/// <summary>Workspace views as the queries return them, for rendering components without a database.</summary>
public static class WorkspaceViews
{
    public static readonly DateTimeOffset T0 = new(2026, 11, 28, 9, 0, 0, TimeSpan.Zero);

    public static StepView Step(string name, StepStatus status, DateTimeOffset? started = null, DateTimeOffset? completed = null,
        int retryCount = 0, DateTimeOffset? nextRetryAt = null, string? errorCode = null, string? errorMessage = null) =>
        new(name, status, started, completed, retryCount, nextRetryAt, errorCode, errorMessage);

    public static WorkspaceDetail Detail(WorkspaceStatus status, string? errorCode = null, string? errorDetail = null, params StepView[] steps) =>
        new(Guid.Parse("0195a3b4-0000-7000-8000-000000000001"), "billing", "demo-app@2.0.0", status, errorCode, errorDetail, 1, Guid.NewGuid(),
            new SizeView(2, 4), "member@acme.test", T0, T0, steps, []);

    public static EventView Event(long sequence, string type, object payload, string actor = "engine", DateTimeOffset? at = null) =>
        new(sequence, type, at ?? T0.AddSeconds(sequence), actor, Guid.NewGuid(), JsonSerializer.SerializeToElement(payload));
}
