using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Portal.Features.Identity;
using Provisioning.Core.Identity;

namespace Portal.Components.Pages;

/// <summary>The front door: sends each user to where their work is (members to their workspaces, operators to the platform).</summary>
public sealed partial class Home
{
    [CascadingParameter]
    private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    protected override async Task OnInitializedAsync()
    {
        var user = CurrentUser.From((await AuthenticationState).User);
        Navigation.NavigateTo(user is { Role: PortalRole.PlatformAdmin } ? "platform/releases" : "workspaces", replace: true);
    }
}
