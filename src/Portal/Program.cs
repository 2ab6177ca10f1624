using MudBlazor.Services;
using Portal.Components;
using Portal.Features.Admin;
using Portal.Features.Identity;
using Portal.Features.Invitations;
using Portal.Features.Notifications;
using Portal.Features.Platform;
using Portal.Features.Releases;
using Portal.Features.Templates;
using Portal.Features.Tenants;
using Portal.Features.Users;
using Portal.Security;
using Portal.Features.Workspaces;
using Portal.Health;
using Provisioning.Core;
using Provisioning.Core.Persistence;

var builder = WebApplication.CreateBuilder(args);
WebApplication app;
try
{
    builder.AddRepositorySettings();
    builder.AddQuickShutdown();
    builder.AddBehindProxy();
    builder.AddThrottling();
    builder.AddProvisioning();
    builder.AddPortalIdentity();
    builder.AddSingleSignOn();
    builder.AddPortalApi();
    builder.AddPortalNotifications();
    builder.AddDemoData();
    builder.AddBootstrapAdmin();
    builder.AddTenants();
    builder.AddUsers();
    builder.AddInvitations();
    builder.AddPortalHealth();
    builder.Services.AddMudServices();
    builder.Services.AddRazorComponents()
        .AddInteractiveServerComponents();

    app = builder.Build();
    app.Services.ValidateProvisioningConfiguration();
    app.Services.CheckSignInConfiguration();
    app.Services.CheckThrottlingConfiguration();
    await app.Services.CheckPortalDatabaseAsync();
    await BootstrapAdminSeeder.CheckAsync(app.Services);
}
catch (InvalidConfigurationException e)
{
    // One clear line naming the setting, not a stack trace.
    Console.Error.WriteLine($"Configuration error: {e.Message}");
    return 2;
}
catch (DatabaseUnavailableException e)
{
    Console.Error.WriteLine($"Database error: {e.Message}");
    return 3;
}

app.UseBehindProxy();
app.UseSecurityHeaders();
app.UsePortalErrorHandling();
app.UseAuthentication();
app.UseSessionCheck();
app.UseCookieApiWriteCheck();
app.UseThrottling();
app.UseAuthorization();
app.UseAntiforgery();

app.MapHealthChecks("/health", new Microsoft.AspNetCore.Diagnostics.HealthChecks.HealthCheckOptions { ResponseWriter = HealthResponse.WriteAsync });
app.MapPortalOpenApi();
app.MapIdentityApi();
app.MapSingleSignOn();
app.MapReleasesApi();
app.MapWorkspacesApi();
app.MapAdminApi();
app.MapNotificationsApi();
app.MapOutboxApi();
app.MapPlatformApi();
app.MapTemplatesApi();
app.MapPlatformReleasesApi();
app.MapTenantsApi();
app.MapUsersApi();
app.MapInvitationsApi();

app.MapStaticAssets();
app.MapRazorComponents<App>()
    // frame-ancestors is part of the portal's own policy (SecurityHeaders), sent once.
    .AddInteractiveServerRenderMode(options => options.ContentSecurityFrameAncestorsPolicy = null);

try
{
    await app.RunAsync();
}
catch (InvalidConfigurationException e)
{
    // A setting only start-up can judge (the bootstrap admin's address taken by another user).
    Console.Error.WriteLine($"Configuration error: {e.Message}");
    return 2;
}

return 0;

/// <summary>Entry point, visible to WebApplicationFactory in the tests.</summary>
public partial class Program;
