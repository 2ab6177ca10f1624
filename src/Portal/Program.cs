using MudBlazor.Services;
using Portal.Components;
using Provisioning.Core;

var builder = WebApplication.CreateBuilder(args);
WebApplication app;
try
{
    builder.AddRepositorySettings();
    builder.AddProvisioning();
    builder.AddDemoData();
    builder.AddPortalHealth();
    builder.Services.AddMudServices();
    builder.Services.AddRazorComponents()
        .AddInteractiveServerComponents();

    app = builder.Build();
    app.Services.ValidateProvisioningConfiguration();
}
catch (InvalidConfigurationException e)
{
    // One clear line naming the setting, not a stack trace.
    Console.Error.WriteLine($"Configuration error: {e.Message}");
    return 2;
}

if (!app.Environment.IsDevelopment())
{
    app.UseExceptionHandler("/Error", createScopeForErrors: true);
}
app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
app.UseAntiforgery();

app.MapHealthChecks("/health");
app.MapStaticAssets();
app.MapRazorComponents<App>()
    .AddInteractiveServerRenderMode();

await app.RunAsync();
return 0;

/// <summary>Entry point, visible to WebApplicationFactory in the tests.</summary>
public partial class Program;
