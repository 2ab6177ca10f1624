using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Identity;
using Provisioning.Core.Identity;

namespace Portal.Features.Identity;

/// <summary>
/// The sign-in form: rendered on the server without a circuit, because only a real HTTP response can set the
/// Identity cookie. Bad credentials are answered in place; a good sign-in goes back to where the user was going.
/// </summary>
public sealed partial class SignIn
{
    internal const string BadCredentials = "The email or password is not right. Check them and try again.";
    internal const string LockedOut = "Too many failed attempts: this account is locked for a few minutes.";
    internal const string TooManyAttempts = "Too many sign-in attempts for this account in a short time. Try again in {0} seconds.";
    internal const string NotAllowed = "This account cannot sign in now: it was disabled, or its organisation's access is switched off. Ask your tenant admin.";

    private readonly Dictionary<string, string> _fieldErrors = [];
    private string? _errorMessage;

    [CascadingParameter]
    private HttpContext HttpContext { get; set; } = default!;

    [Inject]
    private SignInManager<PortalUser> SignInManager { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    [Inject]
    private ILogger<SignIn> Logger { get; set; } = default!;

    [Inject]
    private Portal.Security.PortalThrottle Throttle { get; set; } = default!;

    [Inject]
    private Microsoft.Extensions.Options.IOptions<SingleSignOnOptions> SingleSignOnOptions { get; set; } = default!;

    [Inject]
    private Microsoft.Extensions.Options.IOptions<LocalPasswordOptions> LocalPasswordOptions { get; set; } = default!;

    [SupplyParameterFromForm(FormName = "signin")]
    private SignInInput? Input { get; set; }

    [SupplyParameterFromQuery]
    private string? ReturnUrl { get; set; }

    /// <summary>Who is signed in already (sent here by an access-denied redirect), or null.</summary>
    private string? SignedInAs =>
        HttpContext.User.Identity?.IsAuthenticated == true && HttpMethods.IsGet(HttpContext.Request.Method)
            ? HttpContext.User.Identity.Name
            : null;

    private const string SingleSignOnStart = SingleSignOn.StartPath;

    private SingleSignOnOptions SingleSignOnSettings => SingleSignOnOptions.Value;

    private bool LocalPasswords => LocalPasswordOptions.Value.Enabled;

    // The form posts to this same address, query string included, so the return URL survives the post.
    private string EffectiveReturnUrl => SafeReturnUrl(ReturnUrl);

    protected override void OnInitialized() => Input ??= new();

    private async Task SignInAsync()
    {
        Input ??= new();
        if (string.IsNullOrWhiteSpace(Input.Email))
        {
            _fieldErrors["email"] = "Enter your email.";
        }

        if (string.IsNullOrEmpty(Input.Password))
        {
            _fieldErrors["password"] = "Enter your password.";
        }

        if (_fieldErrors.Count > 0)
        {
            return;
        }

        if (Throttle.SignInAttempt(Input.Email) is { } throttled)
        {
            throttled.Answer(HttpContext.Response);
            _errorMessage = string.Format(System.Globalization.CultureInfo.InvariantCulture, TooManyAttempts, throttled.Seconds);
            return;
        }

        var result = await SignInManager.PasswordSignInAsync(Input.Email!.Trim(), Input.Password!, isPersistent: false, lockoutOnFailure: true);
        if (result.Succeeded)
        {
            LogSignedIn(Logger, Input.Email.Trim());
            Navigation.NavigateTo(EffectiveReturnUrl, forceLoad: true);
            return;
        }

        // What was typed is logged only when it names an account: people type their password into the email field.
        if (await SignInManager.UserManager.FindByEmailAsync(Input.Email.Trim()) is { Email: { } account })
        {
            LogSignInFailed(Logger, account, result.IsLockedOut);
        }
        else
        {
            LogSignInMatchedNoAccount(Logger);
        }

        _errorMessage = result.IsLockedOut ? LockedOut : result.IsNotAllowed ? NotAllowed : BadCredentials;
    }

    /// <summary>
    /// Only a path of this portal may be returned to (never another site: an open redirect would let a crafted link
    /// send a freshly signed-in user anywhere). Anything else goes to the front door, which knows where each role starts.
    /// </summary>
    internal static string SafeReturnUrl(string? returnUrl) =>
        returnUrl is { Length: > 0 } url
        && url[0] == '/'
        && (url.Length == 1 || (url[1] != '/' && url[1] != '\\'))
        && !url.Contains("://", StringComparison.Ordinal)
        && !url.StartsWith("/signin", StringComparison.OrdinalIgnoreCase)
        && !url.StartsWith("/signout", StringComparison.OrdinalIgnoreCase)
            ? url
            : "/";

    [LoggerMessage(Level = LogLevel.Information, Message = "{Email} signed in")]
    private static partial void LogSignedIn(ILogger logger, string email);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sign-in failed for {Email} (locked out: {LockedOut})")]
    private static partial void LogSignInFailed(ILogger logger, string email, bool lockedOut);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sign-in failed: the identifier given matched no account")]
    private static partial void LogSignInMatchedNoAccount(ILogger logger);

    private sealed class SignInInput
    {
        public string? Email { get; set; }

        public string? Password { get; set; }
    }
}
