using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Identity;
using Provisioning.Core.Identity;

namespace Portal.Features.Identity;

/// <summary>Ends the Identity cookie session (a POST with an antiforgery token only) and returns to the sign-in page.</summary>
public sealed partial class SignOut
{
    /// <summary>The form name the user menu posts with (as the <c>_handler</c> field).</summary>
    public const string FormName = "signout";

    [Inject]
    private SignInManager<PortalUser> SignInManager { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    private async Task SignOutAsync()
    {
        await SignInManager.SignOutAsync();
        Navigation.NavigateTo("/signin", forceLoad: true);
    }
}
