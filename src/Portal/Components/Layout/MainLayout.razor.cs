using System.Security.Claims;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.AspNetCore.Components.Routing;
using Portal.Features.Identity;
using Provisioning.Core.Identity;

namespace Portal.Components.Layout;

public sealed partial class MainLayout : IDisposable
{
    // What MudIconButton puts on its button, for the plain ones of the app bar.
    private const string IconButton = "mud-button-root mud-icon-button mud-inherit-text hover:mud-inherit-hover";

    private ClaimsPrincipal? _user;
    private bool _isDarkMode;

    // The drawer's default depends on the screen (open beside the page when wide, closed on a phone: the CSS decides);
    // the toggle inverts that default, so the server never needs to know the width.
    private bool _drawerToggled;

    [CascadingParameter]
    private Task<AuthenticationState>? AuthenticationState { get; set; }

    [Inject]
    private AntiforgeryStateProvider Antiforgery { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    private string ThemeToggleLabel => _isDarkMode ? "Switch to light mode" : "Switch to dark mode";

    protected override void OnInitialized() => Navigation.LocationChanged += OnLocationChanged;

    protected override async Task OnParametersSetAsync()
    {
        var user = AuthenticationState is null ? null : (await AuthenticationState).User;
        _user = user?.Identity?.IsAuthenticated == true ? user : null;
    }

    private void ToggleDrawer() => _drawerToggled = !_drawerToggled;

    private void ToggleDarkMode() => _isDarkMode = !_isDarkMode;

    // Going to another page puts the drawer back to the screen's default: on a phone, a chosen link closes it.
    private void OnLocationChanged(object? sender, LocationChangedEventArgs e)
    {
        if (_drawerToggled)
        {
            _drawerToggled = false;
            _ = InvokeAsync(StateHasChanged);
        }
    }

    /// <summary>"Member of acme", "Tenant admin of acme", "Platform admin".</summary>
    internal static string RoleLabel(ClaimsPrincipal principal) => CurrentUser.From(principal) switch
    {
        { Role: PortalRole.PlatformAdmin } => "Platform admin",
        { Role: PortalRole.TenantAdmin, TenantId: { } tenant } => $"Tenant admin of {tenant}",
        { TenantId: { } tenant } => $"Member of {tenant}",
        _ => "",
    };

    public void Dispose() => Navigation.LocationChanged -= OnLocationChanged;
}
