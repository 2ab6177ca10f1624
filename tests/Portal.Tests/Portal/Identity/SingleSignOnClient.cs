using System.Net;
using System.Text.RegularExpressions;

namespace Portal.Tests.Portal.Identity;

/// <summary>
/// A browser's part of an OpenID Connect sign-in, played with an HttpClient: the portal's "Sign in with" form, the
/// identity provider's sign-in form, and every redirect in between, followed by hand so each hop is a real request.
/// </summary>
public sealed partial class SingleSignOnClient : IDisposable
{
    private readonly Uri _portal;

    /// <param name="browser">A client of the portal that keeps cookies (<see cref="TestInfrastructure.PortalApiFactory.Browser"/>); the provider's go in the same jar.</param>
    public SingleSignOnClient(HttpClient browser)
    {
        Http = browser;
        _portal = browser.BaseAddress!;
    }

    /// <summary>Sends the portal's cookies (the session, once signed in).</summary>
    public HttpClient Http { get; }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Signs in through the provider; returns where the portal sent the browser in the end (a path of the portal).</summary>
    public async Task<string> SignInAsync(string email, string password, string returnUrl = "/")
    {
        var signIn = await Http.GetStringAsync($"/signin?returnUrl={Uri.EscapeDataString(returnUrl)}", Ct);
        var form = SingleSignOnForm().Match(signIn);
        form.Success.ShouldBeTrue("the sign-in page offers single sign-on");
        using var start = await Http.PostAsync(new Uri(_portal, WebUtility.HtmlDecode(form.Groups["action"].Value)), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = TestInfrastructure.PortalApiFactory.AntiforgeryToken(form.Value),
            ["returnUrl"] = returnUrl,
        }), Ct);
        start.StatusCode.ShouldBe(HttpStatusCode.Redirect, await start.Content.ReadAsStringAsync(Ct));
        var at = start.Headers.Location!;
        for (var hop = 0; hop < 12; hop++)
        {
            using var response = await Http.GetAsync(at, Ct);
            if (response.StatusCode == HttpStatusCode.OK && at.AbsolutePath == "/login")
            {
                // The provider's own sign-in form.
                var page = await response.Content.ReadAsStringAsync(Ct);
                using var posted = await Http.PostAsync(new Uri(at, "/login"), new FormUrlEncodedContent(new Dictionary<string, string>
                {
                    ["returnUrl"] = WebUtility.HtmlDecode(ProviderReturnUrl().Match(page).Groups["url"].Value),
                    ["username"] = email,
                    ["password"] = password,
                }), Ct);
                posted.StatusCode.ShouldBe(HttpStatusCode.Redirect, "the provider took the credentials");
                at = new Uri(at, posted.Headers.Location!);
                continue;
            }

            response.StatusCode.ShouldBe(HttpStatusCode.Redirect, $"GET {at}: {await response.Content.ReadAsStringAsync(Ct)}");
            var next = new Uri(at, response.Headers.Location!);
            if (next.Authority == _portal.Authority && !next.AbsolutePath.StartsWith("/signin-oidc", StringComparison.Ordinal)
                && !next.AbsolutePath.StartsWith("/account/single-sign-on", StringComparison.Ordinal))
            {
                return next.PathAndQuery;
            }

            at = next;
        }

        throw new ShouldAssertException("The sign-in went round in circles.");
    }

    public void Dispose() => Http.Dispose();

    [GeneratedRegex("""<form method="post" action="(?<action>[^"]+)" id="signin-sso-form">.*?</form>""", RegexOptions.Singleline)]
    private static partial Regex SingleSignOnForm();

    [GeneratedRegex("""name="returnUrl" value="(?<url>[^"]+)""")]
    private static partial Regex ProviderReturnUrl();
}
