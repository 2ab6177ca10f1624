using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;

namespace Portal.Features.Identity;

/// <summary>
/// What the router shows instead of a page the user may not open: with no session (never signed in, or the
/// session ended while the circuit was open) a full load of the sign-in page that comes back here afterwards;
/// a signed-in user without the right role is told so, rather than sent round in a loop.
/// </summary>
public sealed partial class RedirectToSignIn
{
    private bool _signedIn;

    [CascadingParameter]
    private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    protected override async Task OnInitializedAsync()
    {
        var state = await AuthenticationState;
        _signedIn = state.User.Identity?.IsAuthenticated == true;
        if (!_signedIn)
        {
            Navigation.NavigateTo(SignInUrl(Navigation.ToBaseRelativePath(Navigation.Uri)), forceLoad: true);
        }
    }

    /// <summary>The sign-in address that returns to <paramref name="relativePath"/> (relative to the base, no leading slash).</summary>
    internal static string SignInUrl(string relativePath) =>
        "/signin?ReturnUrl=" + Uri.EscapeDataString("/" + relativePath);
}
