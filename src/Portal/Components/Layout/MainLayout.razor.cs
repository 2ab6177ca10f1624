using System.Security.Claims;
using Portal.Features.Identity;
using Provisioning.Core.Identity;

namespace Portal.Components.Layout;

public partial class MainLayout
{
    private bool _drawerOpen = true;
    private bool _isDarkMode;

    private string ThemeToggleLabel => _isDarkMode ? "Switch to light mode" : "Switch to dark mode";

    private void ToggleDrawer() => _drawerOpen = !_drawerOpen;

    private void ToggleDarkMode() => _isDarkMode = !_isDarkMode;

    /// <summary>"Member of acme", "Tenant admin of acme", "Platform admin".</summary>
    internal static string RoleLabel(ClaimsPrincipal principal) => CurrentUser.From(principal) switch
    {
        { Role: PortalRole.PlatformAdmin } => "Platform admin",
        { Role: PortalRole.TenantAdmin, TenantId: { } tenant } => $"Tenant admin of {tenant}",
        { TenantId: { } tenant } => $"Member of {tenant}",
        _ => "",
    };
}
