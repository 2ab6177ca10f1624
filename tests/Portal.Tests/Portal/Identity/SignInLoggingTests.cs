using System.Net;
using Portal.Tests.TestInfrastructure;
using static Portal.Tests.TestInfrastructure.PortalApiFactory;

namespace Portal.Tests.Portal.Identity;

/// <summary>
/// Issue 22, point 10: in a keyboard run the password went into the Email field, and the failed sign-in logged it as
/// the account. What was typed is logged only when it names an account.
/// </summary>
public sealed class SignInLoggingTests : IAsyncLifetime
{
    private const string TypedIntoEmail = "Correct-Horse-9-battery";
    private readonly PortalApiFactory _portal = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync()
    {
        // Everything the portal and ASP.NET Core Identity log, down to Trace.
        _portal.Settings["Logging:LogLevel:Portal"] = "Trace";
        _portal.Settings["Logging:LogLevel:Microsoft.AspNetCore.Identity"] = "Trace";
        _portal.Settings["Logging:LogLevel:Microsoft.AspNetCore.Authentication"] = "Trace";
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync() => await _portal.DisposeAsync();

    [Fact]
    public async Task AFailedSignIn_WithAnIdentifierThatIsNoAccount_NeverWritesItToTheLog()
    {
        using var browser = _portal.Browser();

        var page = await PostSignInAsync(browser, TypedIntoEmail, "anything-at-all");

        page.ShouldContain("The email or password is not right.");
        var logged = _portal.Logs.Entries;
        logged.ShouldContain(l => l.Message == "Sign-in failed: the identifier given matched no account");
        logged.ShouldNotContain(l => l.Message.Contains(TypedIntoEmail, StringComparison.Ordinal)
            || l.Scope.Values.Any(v => v != null && v.ToString()!.Contains(TypedIntoEmail, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task AFailedSignIn_OfAnAccount_NamesTheAccount()
    {
        using var browser = _portal.Browser();

        await PostSignInAsync(browser, AcmeMember, "Wrong-pass-1");

        _portal.Logs.Entries.ShouldContain(l => l.Message == $"Sign-in failed for {AcmeMember} (locked out: False)");
    }

    private static async Task<string> PostSignInAsync(HttpClient browser, string email, string password)
    {
        var form = await browser.GetStringAsync("/signin", Ct);
        using var posted = await browser.PostAsync("/signin", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "signin",
            ["__RequestVerificationToken"] = AntiforgeryToken(form),
            ["Input.Email"] = email,
            ["Input.Password"] = password,
        }), Ct);
        posted.StatusCode.ShouldBe(HttpStatusCode.OK);
        return await posted.Content.ReadAsStringAsync(Ct);
    }
}
