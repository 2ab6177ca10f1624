using System.Net;
using System.Net.Http.Json;
using Portal.Tests.TestInfrastructure;
using static Portal.Tests.TestInfrastructure.ApiTestExtensions;
using static Portal.Tests.TestInfrastructure.PortalApiFactory;

namespace Portal.Tests.Portal.Security;

/// <summary>
/// Issue 18, throttling: sign-in attempts per client address (password spraying) and per account, workspace
/// creations and retries per user; each refusal is a 429 with <c>Retry-After</c>, problem+json on the API. Every test
/// has a portal of its own (the counts live in it) with limits small enough to reach.
/// </summary>
public sealed class ThrottlingTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task PasswordSpraying_FromOneAddress_Is429AfterTheLimit_WithRetryAfter()
    {
        await using var portal = Portal(("Throttling:SignInPerClient:PermitLimit", "3"));
        using var client = portal.Anonymous();

        var answers = new List<HttpResponseMessage>();
        for (var i = 0; i < 5; i++)
        {
            answers.Add(await client.PostAsJsonAsync("/api/v1/auth/login", new { email = $"nobody{i}@acme.test", password = "Guess-1234!" }, Ct));
        }

        answers.Take(3).ShouldAllBe(a => a.StatusCode == HttpStatusCode.Unauthorized);
        var refused = await answers[3].ShouldBeProblemAsync(HttpStatusCode.TooManyRequests, "too_many_requests");
        refused.Str("detail")!.ShouldStartWith("Too many sign-in attempts from your address.");
        int.Parse(answers[3].Headers.GetValues("Retry-After").Single()).ShouldBeInRange(1, 60);
        answers[4].StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
        answers.ForEach(a => a.Dispose());

        // Only sign-in is limited: the rest of the API answers as before.
        (await client.GetAsync("/api/v1/releases", Ct)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        using var accept = await client.PostAsJsonAsync("/api/v1/auth/accept-invitation", new { token = "x", password = "Guess-1234!" }, Ct);
        accept.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests, "accepting an invitation is a sign-in attempt too");
    }

    [Fact]
    public async Task ManyAttemptsAtOneAccount_Are429_WhileOtherAccountsStillSignIn()
    {
        await using var portal = Portal(("Throttling:SignInPerAccount:PermitLimit", "3"));
        using var client = portal.Anonymous();
        for (var i = 0; i < 3; i++)
        {
            using var wrong = await client.PostAsJsonAsync("/api/v1/auth/login", new { email = AcmeAdmin, password = $"Wrong-pass-{i}" }, Ct);
            wrong.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        }

        using var right = await client.PostAsJsonAsync("/api/v1/auth/login", new { email = "ADMIN@acme.test", password = PortalApiFactory.Password }, Ct);

        (await right.ShouldBeProblemAsync(HttpStatusCode.TooManyRequests, "too_many_requests")).Str("detail")!.ShouldStartWith("Too many sign-in attempts for this account.");
        right.Headers.Contains("Retry-After").ShouldBeTrue();
        using var other = await client.PostAsJsonAsync("/api/v1/auth/login", new { email = AcmeMember, password = PortalApiFactory.Password }, Ct);
        other.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task TheSignInPage_IsThrottledPerAccount_AndSaysWhenToTryAgain()
    {
        await using var portal = Portal(("Throttling:SignInPerAccount:PermitLimit", "2"));
        using var client = portal.Browser();
        var statuses = new List<HttpStatusCode>();
        var last = "";
        for (var i = 0; i < 3; i++)
        {
            var form = await client.GetStringAsync("/signin", Ct);
            using var posted = await client.PostAsync("/signin", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["_handler"] = "signin",
                ["__RequestVerificationToken"] = PortalApiFactory.AntiforgeryToken(form),
                ["Input.Email"] = AcmeMember,
                ["Input.Password"] = "Wrong-pass-1",
            }), Ct);
            statuses.Add(posted.StatusCode);
            last = await posted.Content.ReadAsStringAsync(Ct);
        }

        statuses.ShouldBe([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests]);
        last.ShouldContain("Too many sign-in attempts for this account in a short time. Try again in");
    }

    [Fact]
    public async Task WorkspaceCreationsAndRetries_AreLimitedPerUser()
    {
        await using var portal = Portal(("Throttling:WritesPerUser:PermitLimit", "2"));
        using var member = await portal.LoginAsync(AcmeMember);
        using var other = await portal.LoginAsync(GlobexMember);

        (await member.CreateWorkspaceAsync(UniqueName(), "demo-app@2.0.0")).StatusCode.ShouldBe(HttpStatusCode.Accepted);
        using (var retry = await member.PostEmptyAsync($"/api/v1/workspaces/{Guid.NewGuid()}/retry"))
        {
            retry.StatusCode.ShouldBe(HttpStatusCode.NotFound, "a retry counts, whatever its answer");
        }

        using var third = await member.CreateWorkspaceAsync(UniqueName(), "demo-app@2.0.0");

        (await third.ShouldBeProblemAsync(HttpStatusCode.TooManyRequests, "too_many_requests")).Str("detail")!.ShouldStartWith("Too many workspace requests");
        (await member.GetAsync("/api/v1/workspaces", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK, "reading is not limited");
        (await other.CreateWorkspaceAsync(UniqueName(), "demo-app@2.0.0")).StatusCode.ShouldBe(HttpStatusCode.Accepted, "another user has limits of their own");
    }

    [Fact]
    public async Task SwitchedOff_NothingIsThrottled()
    {
        await using var portal = Portal(("Throttling:Enabled", "false"), ("Throttling:SignInPerClient:PermitLimit", "1"), ("Throttling:SignInPerAccount:PermitLimit", "1"));
        using var client = portal.Anonymous();

        for (var i = 0; i < 5; i++)
        {
            using var login = await client.PostAsJsonAsync("/api/v1/auth/login", new { email = AcmeAdmin, password = "Wrong-pass-1" }, Ct);
            login.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        }
    }

    /// <summary>A portal of its own with throttling on (the test factory turns it off) and the given limits.</summary>
    private static PortalApiFactory Portal(params (string Key, string Value)[] settings)
    {
        var portal = new PortalApiFactory();
        portal.Settings["Throttling:Enabled"] = "true";
        foreach (var (key, value) in settings)
        {
            portal.Settings[key] = value;
        }

        return portal;
    }
}
