using System.Security.Claims;
using Bunit;
using Bunit.TestDoubles;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Portal.Features.Notifications;
using Portal.Tests.Core.Notifications;
using Portal.Tests.TestInfrastructure;
using Provisioning.Core.Identity;
using Provisioning.Core.Notifications;
using Provisioning.Core.Workspaces;

namespace Portal.Tests.Portal.Components.Notifications;

/// <summary>The bell on the real notification store: a failure committed by the engine reaches it live.</summary>
public sealed class NotificationBellTests
{
    [Fact]
    public async Task AFailureCommittedByTheEngine_RaisesTheBadgeLive_AndOpeningTheNotificationMarksItReadAndGoesToTheWorkspace()
    {
        await using var harness = await ProvisioningHarness.StartAsync();
        var cast = await harness.AddCastAsync();
        await using var ctx = BunitPortal.Create();
        ctx.Services.AddSingleton(harness.Services.GetRequiredService<NotificationInbox>());
        ctx.Services.AddSingleton(harness.Services.GetRequiredService<IWorkspaceUpdates>());
        ctx.AddAuthorization().SetAuthorized(cast.Requester.Email!).SetClaims(
            new Claim(ClaimTypes.NameIdentifier, cast.Requester.Id),
            new Claim(ClaimTypes.Role, nameof(PortalRole.Member)),
            new Claim(PortalClaims.Tenant, "acme"));
        // The bell subscribes to live updates only once interactive, as on a circuit.
        ctx.SetRendererInfo(new RendererInfo("Server", isInteractive: true));
        var bell = ctx.Render<NotificationBell>();
        Button(bell).GetAttribute("aria-label").ShouldBe("Notifications: no unread notifications");

        var workspace = await harness.CreateAsync("demo-app@2.0.0");
        await harness.RunAsync(workspace.Id);

        bell.WaitForAssertion(() => Button(bell).GetAttribute("aria-label").ShouldBe("Notifications: 1 unread notification"));
        bell.Find(".mud-badge").TextContent.Trim().ShouldBe("1");

        Button(bell).Click();
        // The list is the browser's popover: its button closes it, and tells the bell which one was chosen.
        var item = bell.WaitForElement("#notification-list .notification-item.notification-unread");
        item.GetAttribute("popovertarget").ShouldBe("notification-list");
        item.GetAttribute("popovertargetaction").ShouldBe("hide");
        item.TextContent.ShouldContain($"{workspace.Name} could not be provisioned");
        item.Click();

        bell.WaitForAssertion(() => Button(bell).GetAttribute("aria-label").ShouldBe("Notifications: no unread notifications"));
        ctx.Services.GetRequiredService<NavigationManager>().Uri.ShouldEndWith($"/workspaces/{workspace.Id}");
        (await harness.NotificationsAsync()).Single(n => n.UserId == cast.Requester.Id).ReadAt.ShouldNotBeNull();
    }

    private static AngleSharp.Dom.IElement Button(IRenderedComponent<NotificationBell> bell) =>
        bell.Find("button[aria-label^='Notifications']");
}
