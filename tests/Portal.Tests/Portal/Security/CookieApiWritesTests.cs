using System.Net;
using System.Net.Http.Json;
using Portal.Tests.TestInfrastructure;
using static Portal.Tests.TestInfrastructure.ApiTestExtensions;
using static Portal.Tests.TestInfrastructure.PortalApiFactory;

namespace Portal.Tests.Portal.Security;

/// <summary>
/// Issue 18: a write to the API authenticated by the pages' cookie needs the antiforgery token and, when the browser
/// names one, the portal's own origin; bearer-token clients and reads are unaffected. Refusals change nothing.
/// </summary>
public sealed class CookieApiWritesTests(PortalApiFactory portal) : IClassFixture<PortalApiFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ACookieWriteFromAnotherSite_Is403_AndCreatesNothing()
    {
        using var browser = await CookieClientAsync();
        var before = await portal.CountRowsAsync();

        using var request = CreateRequest();
        request.Headers.Add("Origin", "http://evil.test");
        using var response = await browser.SendAsync(request, Ct);

        (await response.ShouldBeProblemAsync(HttpStatusCode.Forbidden, "cross_site_request")).Str("detail")!.ShouldContain("http://evil.test");
        (await portal.CountRowsAsync()).ShouldBe(before);
    }

    [Fact]
    public async Task ACookieWriteWithoutTheAntiforgeryToken_Is403_EvenFromTheOwnOrigin()
    {
        using var browser = await CookieClientAsync();
        var before = await portal.CountRowsAsync();

        using var request = CreateRequest();
        request.Headers.Add("Origin", browser.BaseAddress!.GetLeftPart(UriPartial.Authority));
        using var response = await browser.SendAsync(request, Ct);

        (await response.ShouldBeProblemAsync(HttpStatusCode.Forbidden, "cross_site_request")).Str("detail")!.ShouldContain("antiforgery token");
        (await portal.CountRowsAsync()).ShouldBe(before);
    }

    [Fact]
    public async Task ACookieWriteWithTheTokenFromTheOwnOrigin_IsAccepted_AndCookieReadsNeedNeither()
    {
        using var browser = await CookieClientAsync();
        var page = await browser.GetStringAsync("/signin", Ct);

        using var request = CreateRequest();
        request.Headers.Add("Origin", browser.BaseAddress!.GetLeftPart(UriPartial.Authority));
        request.Headers.Add("RequestVerificationToken", PortalApiFactory.AntiforgeryToken(page));
        using var response = await browser.SendAsync(request, Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        using var read = new HttpRequestMessage(HttpMethod.Get, "/api/v1/workspaces");
        read.Headers.Add("Origin", "http://evil.test");
        (await browser.SendAsync(read, Ct)).StatusCode.ShouldBe(HttpStatusCode.OK, "reads are not writes (and CORS keeps their answers from other sites)");
    }

    [Fact]
    public async Task BearerClients_AreNotAffected()
    {
        using var client = await portal.LoginAsync(AcmeMember);

        using var request = CreateRequest();
        request.Headers.Add("Origin", "http://evil.test");
        using var response = await client.SendAsync(request, Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.Accepted);
    }

    private static HttpRequestMessage CreateRequest() => new(HttpMethod.Post, "/api/v1/workspaces")
    {
        Content = JsonContent.Create(new { name = UniqueName(), release_id = "demo-app@2.0.0" }),
    };

    /// <summary>Signed in with the cookie the pages use (Identity's <c>useCookies</c> login), as a browser holds it.</summary>
    private async Task<HttpClient> CookieClientAsync()
    {
        var client = portal.Browser();
        using var login = await client.PostAsJsonAsync("/api/v1/auth/login?useCookies=true", new { email = AcmeMember, password = PortalApiFactory.Password }, Ct);
        login.StatusCode.ShouldBe(HttpStatusCode.OK);
        return client;
    }
}
