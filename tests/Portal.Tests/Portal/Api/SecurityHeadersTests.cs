using System.Net;
using System.Text.RegularExpressions;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Portal.Api;

/// <summary>
/// Issue 18, the security headers on every response, pages and API alike; the browser suite runs under the same
/// policy and fails on any violation it reports.
/// </summary>
public sealed partial class SecurityHeadersTests(PortalApiFactory portal) : IClassFixture<PortalApiFactory>
{
    [Theory]
    [InlineData("/signin")]
    [InlineData("/health")]
    [InlineData("/api/v1/releases")]
    [InlineData("/api/v1/no-such-endpoint")]
    public async Task EveryResponse_CarriesNosniff_AReferrerPolicy_AndTheContentSecurityPolicy(string path)
    {
        using var client = portal.Anonymous();

        using var response = await client.GetAsync(path, TestContext.Current.CancellationToken);

        response.Headers.GetValues("X-Content-Type-Options").ShouldBe(["nosniff"]);
        response.Headers.GetValues("Referrer-Policy").ShouldBe(["strict-origin-when-cross-origin"]);
        var policy = response.Headers.GetValues("Content-Security-Policy").ShouldHaveSingleItem();
        foreach (var directive in new[] { "default-src 'self'", "connect-src 'self'", "frame-ancestors 'self'", "object-src 'none'", "base-uri 'self'" })
        {
            policy.ShouldContain(directive);
        }

        ScriptSources().Match(policy).Groups["sources"].Value.ShouldMatch("^'self' 'nonce-[0-9a-f]{32}'$", "scripts: this origin and the response's own nonce, nothing broader");
    }

    [Fact]
    public async Task APage_GivesItsInlineImportMapTheNonceOfItsOwnPolicy_AFreshOneEachTime()
    {
        using var client = portal.Anonymous();
        var nonces = new List<string>();
        for (var i = 0; i < 2; i++)
        {
            using var response = await client.GetAsync("/signin", TestContext.Current.CancellationToken);
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
            var nonce = PolicyNonce().Match(response.Headers.GetValues("Content-Security-Policy").Single()).Groups["nonce"].Value;
            var html = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
            ImportMapNonce().Match(html).Groups["nonce"].Value.ShouldBe(nonce);
            nonces.Add(nonce);
        }

        nonces.Distinct().Count().ShouldBe(2);
    }

    [GeneratedRegex("script-src (?<sources>[^;]+)")]
    private static partial Regex ScriptSources();

    [GeneratedRegex("'nonce-(?<nonce>[^']+)'")]
    private static partial Regex PolicyNonce();

    [GeneratedRegex("<script type=\"importmap\" nonce=\"(?<nonce>[^\"]+)\"")]
    private static partial Regex ImportMapNonce();
}
