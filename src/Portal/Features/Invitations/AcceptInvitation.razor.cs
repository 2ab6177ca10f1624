using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Portal.Features.Identity;
using Provisioning.Core.Identity;

namespace Portal.Features.Invitations;

/// <summary>
/// Where an invitation email's link leads: set a password (under Identity's rules) and be signed in, or sign in with the
/// identity provider. Rendered on the server without a circuit, as the sign-in page, so it can set the cookie. A link
/// that no longer works answers 410 with a page that says why.
/// </summary>
public sealed partial class AcceptInvitation
{
    private const string SingleSignOnStart = SingleSignOn.StartPath;

    private List<string> _passwordErrors = [];
    private string? _confirmError;
    private InvitationLink? _link;
    private InvitationLinkProblem? _problem;
    private bool _accountExists;

    [CascadingParameter]
    private HttpContext HttpContext { get; set; } = default!;

    [Inject]
    private InvitationDirectory Invitations { get; set; } = default!;

    [Inject]
    private SignInManager<PortalUser> SignInManager { get; set; } = default!;

    [Inject]
    private IOptions<IdentityOptions> IdentityOptions { get; set; } = default!;

    [Inject]
    private IOptions<SingleSignOnOptions> SingleSignOnOptions { get; set; } = default!;

    [Inject]
    private IOptions<LocalPasswordOptions> LocalPasswordOptions { get; set; } = default!;

    [Inject]
    private TimeProvider TimeProvider { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    [SupplyParameterFromQuery]
    private string? Token { get; set; }

    [SupplyParameterFromForm(FormName = "accept-invitation")]
    private AcceptInput? Input { get; set; }

    private SingleSignOnOptions SingleSignOnSettings => SingleSignOnOptions.Value;

    private bool LocalPasswords => LocalPasswordOptions.Value.Enabled;

    private string PasswordRules => InvitationsApi.PasswordRules(IdentityOptions.Value.Password);

    protected override async Task OnInitializedAsync()
    {
        Input ??= new();
        (_link, _problem) = await Invitations.FindAsync(Token, HttpContext.RequestAborted);
        if (_problem is not null)
        {
            HttpContext.Response.StatusCode = StatusCodes.Status410Gone;
        }
    }

    private async Task AcceptAsync()
    {
        Input ??= new();
        if (_link is null || !LocalPasswords)
        {
            return;
        }

        if (string.IsNullOrEmpty(Input.Password))
        {
            _passwordErrors = ["Choose a password."];
            return;
        }

        if (Input.Password != Input.Confirm)
        {
            _confirmError = "The two passwords are not the same.";
            return;
        }

        var outcome = await Invitations.AcceptAsync(Token, Input.Password, HttpContext.RequestAborted);
        // The account was made in a context of its own: this request's reads it afresh before changing it.
        if (outcome.User is { } made && await SignInManager.UserManager.FindByIdAsync(made.Id) is { } user)
        {
            await SignInManager.SignInAsync(user, isPersistent: false);
            user.LastSignInAt = TimeProvider.GetUtcNow();
            await SignInManager.UserManager.UpdateAsync(user);
            Navigation.NavigateTo("/", forceLoad: true);
            return;
        }

        _passwordErrors = [.. outcome.PasswordErrors];
        _problem = outcome.Problem;
        _accountExists = outcome.AccountExists;
    }

    private sealed class AcceptInput
    {
        public string? Password { get; set; }

        public string? Confirm { get; set; }
    }
}
