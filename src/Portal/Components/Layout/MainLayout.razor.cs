using System.Security.Claims;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.AspNetCore.Components.Routing;
using Microsoft.JSInterop;
using Portal.Features.Identity;
using Provisioning.Core.Identity;

namespace Portal.Components.Layout;

public sealed partial class MainLayout : IAsyncDisposable
{
    /// <summary>The theme chosen last, remembered by the browser so a reload keeps it.</summary>
    internal const string ThemeCookie = "portal-theme";

    // What MudIconButton puts on its button, for the plain ones of the app bar.
    private const string IconButton = "mud-button-root mud-icon-button mud-inherit-text hover:mud-inherit-hover";

    private ClaimsPrincipal? _user;
    private IJSObjectReference? _shell;

    // The drawer's default depends on the screen (open beside the page when wide, closed on a phone: the CSS decides);
    // the toggle inverts that default, so the server never needs to know the width.
    private bool _drawerToggled;

    [CascadingParameter]
    private Task<AuthenticationState>? AuthenticationState { get; set; }

    [Inject]
    private AntiforgeryStateProvider Antiforgery { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    [Inject]
    private IJSRuntime JS { get; set; } = default!;

    /// <summary>Present while the page is rendered on the server (prerendering), which reads the theme's cookie.</summary>
    [CascadingParameter]
    private HttpContext? HttpContext { get; set; }

    /// <summary>Read from the cookie when the page is prerendered, and carried into the circuit.</summary>
    [PersistentState]
    public bool DarkMode { get; set; }

    private string ThemeToggleLabel => DarkMode ? "Switch to light mode" : "Switch to dark mode";

    protected override void OnInitialized()
    {
        Navigation.LocationChanged += OnLocationChanged;
        if (HttpContext is not null)
        {
            DarkMode = HttpContext.Request.Cookies[ThemeCookie] == "dark";
        }
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (firstRender && RendererInfo.IsInteractive)
        {
            _shell = await JS.InvokeAsync<IJSObjectReference>("import", "./js/shell.js");
            await _shell.InvokeVoidAsync("closeDrawerOnEscape");
        }
    }

    protected override async Task OnParametersSetAsync()
    {
        var user = AuthenticationState is null ? null : (await AuthenticationState).User;
        _user = user?.Identity?.IsAuthenticated == true ? user : null;
    }

    private void ToggleDrawer() => _drawerToggled = !_drawerToggled;

    private async Task ToggleDarkMode()
    {
        DarkMode = !DarkMode;
        if (_shell is not null)
        {
            await _shell.InvokeVoidAsync("rememberTheme", DarkMode ? "dark" : "light");
        }
    }

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

    public async ValueTask DisposeAsync()
    {
        Navigation.LocationChanged -= OnLocationChanged;
        if (_shell is not null)
        {
            try
            {
                await _shell.DisposeAsync();
            }
            catch (JSDisconnectedException)
            {
                // The circuit is gone, and the module with it.
            }
        }
    }
}
