using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Portal.Components.Shared;
using Portal.Features.Identity;
using Portal.Health;
using Provisioning.Core.Engine;
using Provisioning.Core.Infrastructure.Vsphere;
using Provisioning.Core.Templates;

namespace Portal.Features.Templates;

/// <summary>The loaded templates and what each runs on, and whether vSphere answers when it is configured (issue 16, point 5).</summary>
public sealed partial class PlatformTemplatesPage : IDisposable
{
    private readonly CancellationTokenSource _disposed = new();
    private bool? _allowed;
    private IReadOnlyList<TemplateView> _templates = [];
    private HealthReportEntry? _vsphere;
    private string? _vsphereUrl;

    [CascadingParameter]
    private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    [Inject]
    private IAuthorizationService Authorization { get; set; } = default!;

    [Inject]
    private TemplateCatalog Templates { get; set; } = default!;

    [Inject]
    private StepCatalog Steps { get; set; } = default!;

    [Inject]
    private HealthCheckService Health { get; set; } = default!;

    [Inject]
    private IOptions<VsphereOptions> Vsphere { get; set; } = default!;

    protected override async Task OnInitializedAsync()
    {
        _allowed = await PageAccess.AllowsAsync(Authorization, AuthenticationState, PortalPolicies.PlatformAdmin);
        if (_allowed != true)
        {
            return;
        }

        _templates = Templates.All.Select(t => TemplateView.From(t, Steps)).ToList();
        if (Vsphere.Value.Enabled)
        {
            _vsphereUrl = Vsphere.Value.Url;
            var report = await Health.CheckHealthAsync(check => check.Name == VsphereHealthCheck.Name, _disposed.Token);
            _vsphere = report.Entries.GetValueOrDefault(VsphereHealthCheck.Name);
        }
    }

    public void Dispose()
    {
        _disposed.Cancel();
        _disposed.Dispose();
    }

    private static string AdapterName(string adapter) => adapter switch
    {
        "vsphere" => "vSphere",
        "simulator" => "Simulator",
        "command" => "Commands",
        "http" => "HTTP",
        _ => adapter,
    };
}
