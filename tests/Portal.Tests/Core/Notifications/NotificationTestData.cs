using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Portal.Features.Notifications.Emails;
using Portal.Tests.TestInfrastructure;
using Provisioning.Core.Identity;
using Provisioning.Core.Notifications;
using Provisioning.Core.Persistence;

namespace Portal.Tests.Core.Notifications;

/// <summary>Users, outbox delivery and rendering on top of <see cref="ProvisioningHarness"/>.</summary>
public static class NotificationTestData
{
    /// <summary>A portal user written straight into the database (the harness has no Identity managers).</summary>
    public static async Task<PortalUser> AddUserAsync(
        this ProvisioningHarness harness, string email, string? tenant, PortalRole role, bool emailNotifications = true)
    {
        var user = new PortalUser
        {
            UserName = email,
            NormalizedUserName = email.ToUpperInvariant(),
            Email = email,
            NormalizedEmail = email.ToUpperInvariant(),
            EmailConfirmed = true,
            TenantId = tenant,
            Role = role,
            EmailNotifications = emailNotifications,
        };
        await using var db = await harness.DbAsync();
        db.Users.Add(user);
        await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        return user;
    }

    /// <summary>The demo cast of DESIGN §10, plus a second acme admin and a globex admin.</summary>
    public static async Task<Cast> AddCastAsync(this ProvisioningHarness harness) => new(
        Requester: await harness.AddUserAsync("member@acme.test", "acme", PortalRole.Member),
        AcmeAdmin: await harness.AddUserAsync("admin@acme.test", "acme", PortalRole.TenantAdmin),
        SecondAcmeAdmin: await harness.AddUserAsync("admin2@acme.test", "acme", PortalRole.TenantAdmin),
        GlobexMember: await harness.AddUserAsync("member@globex.test", "globex", PortalRole.Member),
        GlobexAdmin: await harness.AddUserAsync("admin@globex.test", "globex", PortalRole.TenantAdmin),
        PlatformOps: await harness.AddUserAsync("ops@platform.test", null, PortalRole.PlatformAdmin));

    /// <summary>Delivery as the portal wires it, with the portal's Razor templates and the harness's driven time.</summary>
    public static OutboxDelivery Delivery(this ProvisioningHarness harness) => new(
        harness.Services.GetRequiredService<IDbContextFactory<ProvisioningDbContext>>(),
        Renderer(),
        harness.Services.GetRequiredService<IMailTransport>(),
        harness.Services.GetRequiredService<IOptions<MailOptions>>(),
        harness.Services.GetRequiredService<IOptions<PortalLinkOptions>>(),
        harness.Time,
        harness.Services.GetRequiredService<ILogger<OutboxDelivery>>());

    /// <summary>Runs a delivery, advancing the harness's fake time through Polly's waits between tries.</summary>
    public static async Task<OutboxRun> DeliverAsync(this ProvisioningHarness harness, OutboxDelivery delivery)
    {
        var run = delivery.DeliverDueAsync(TestContext.Current.CancellationToken);
        await harness.Time.DriveAsync(run);
        return await run;
    }

    public static IEmailRenderer Renderer()
    {
        // The least a host gives HtmlRenderer; OutboxApiTests render inside the real portal with all its services.
        var services = new ServiceCollection().AddLogging().BuildServiceProvider();
        return new RazorEmailRenderer(services.GetRequiredService<IServiceScopeFactory>(), NullLoggerFactory.Instance);
    }

    public static async Task<List<OutboxMessage>> OutboxAsync(this ProvisioningHarness harness)
    {
        await using var db = await harness.DbAsync();
        return await db.Outbox.OrderBy(m => m.Recipient).ThenBy(m => m.CreatedAt).ToListAsync(TestContext.Current.CancellationToken);
    }

    public static async Task<List<Notification>> NotificationsAsync(this ProvisioningHarness harness)
    {
        await using var db = await harness.DbAsync();
        return await db.Notifications.OrderBy(n => n.CreatedAt).ToListAsync(TestContext.Current.CancellationToken);
    }

    public static T Model<T>(this OutboxMessage message) =>
        System.Text.Json.JsonSerializer.Deserialize<T>(message.Model, EmailTemplates.ModelJson)!;

    public sealed record Cast(
        PortalUser Requester, PortalUser AcmeAdmin, PortalUser SecondAcmeAdmin,
        PortalUser GlobexMember, PortalUser GlobexAdmin, PortalUser PlatformOps);
}
