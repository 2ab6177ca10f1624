using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Routing;
using Portal.Features.Identity;

namespace Portal.Components.Layout;

public sealed partial class NavMenu : IDisposable
{
    private bool _signedIn;
    private bool _tenantUser;
    private bool _tenantAdmin;
    private bool _platformAdmin;

    [CascadingParameter]
    private Task<AuthenticationState>? AuthenticationState { get; set; }

    [Inject]
    private IAuthorizationService Authorization { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    protected override void OnInitialized() => Navigation.LocationChanged += OnLocationChanged;

    // Runs again when the session changes (the cascaded state is a new task then).
    protected override async Task OnParametersSetAsync()
    {
        var user = AuthenticationState is null ? null : (await AuthenticationState).User;
        _signedIn = user?.Identity?.IsAuthenticated == true;
        _tenantUser = _signedIn && (await Authorization.AuthorizeAsync(user!, PortalPolicies.TenantUser)).Succeeded;
        _tenantAdmin = _signedIn && (await Authorization.AuthorizeAsync(user!, PortalPolicies.TenantAdmin)).Succeeded;
        _platformAdmin = _signedIn && (await Authorization.AuthorizeAsync(user!, PortalPolicies.PlatformAdmin)).Succeeded;
    }

    private void OnLocationChanged(object? sender, LocationChangedEventArgs e) => _ = InvokeAsync(StateHasChanged);

    /// <summary>What <c>NavLink</c> decides: the address (without query or fragment) is the link's, or under it for Prefix.</summary>
    private bool IsCurrent(string href, NavLinkMatch match)
    {
        var path = Navigation.ToBaseRelativePath(Navigation.Uri);
        path = path[..(path.IndexOfAny(['?', '#']) is var end and >= 0 ? end : path.Length)].TrimEnd('/');
        return string.Equals(path, href, StringComparison.OrdinalIgnoreCase) ||
            (match == NavLinkMatch.Prefix && path.StartsWith(href + "/", StringComparison.OrdinalIgnoreCase));
    }

    public void Dispose() => Navigation.LocationChanged -= OnLocationChanged;
}
