using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components.Authorization;

namespace Portal.Components.Shared;

/// <summary>
/// A page's own check of its policy. [Authorize] on a page is enforced by the endpoint on the first request and
/// by AuthorizeRouteView on navigation inside the circuit; a page that shows another role's data checks again
/// before loading it, so a router change can never expose it.
/// </summary>
public static class PageAccess
{
    public static async Task<bool> AllowsAsync(IAuthorizationService authorization, Task<AuthenticationState> authenticationState, string policy)
    {
        var user = (await authenticationState).User;
        return (await authorization.AuthorizeAsync(user, policy)).Succeeded;
    }
}
