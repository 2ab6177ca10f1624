using System.Net.Http.Headers;
using System.Text;
using Portal.Tests.TestInfrastructure;
using static Portal.Tests.TestInfrastructure.PortalApiFactory;

namespace Portal.Tests.Portal.Api;

/// <summary>A portal with one workspace that has finished provisioning, so nothing changes in the background.</summary>
public sealed class BadInputPortal : PortalApiFactory, IAsyncLifetime
{
    public Guid ReadyWorkspace { get; private set; }

    public async ValueTask InitializeAsync()
    {
        using var member = await LoginAsync(AcmeMember);
        ReadyWorkspace = await member.CreateAcceptedAsync("demo-app@1.0.0", ApiTestExtensions.UniqueName("steady"), new { cpu = 1, memory_gb = 1 });
        await WaitForStatusAsync(member, ReadyWorkspace, "ready");
    }
}

/// <summary>
/// Issue 3's bad-input test: malformed requests of every kind get a 4xx problem with a <c>code</c> member,
/// never a 5xx, and change nothing in the database.
/// </summary>
public sealed class BadInputTests(BadInputPortal portal) : IClassFixture<BadInputPortal>
{
    private const string Workspaces = "/api/v1/workspaces";
    private const string Faults = "/api/v1/platform/simulator/faults";
    private const string Capacity = "/api/v1/platform/simulator/capacity";

    /// <summary>Each case: who sends it, and the request (built fresh per run; {ready} is the fixture's ready workspace).</summary>
    private static readonly Dictionary<string, (string User, Func<Guid, HttpRequestMessage> Request)> Cases = new()
    {
        // Create: bodies that are not the JSON object it expects.
        ["create: broken JSON"] = (AcmeMember, _ => Json(HttpMethod.Post, Workspaces, """{"name": "broken", "release_id": "demo-app@1.0.0" """)),
        ["create: not JSON at all"] = (AcmeMember, _ => Json(HttpMethod.Post, Workspaces, "name=broken")),
        ["create: empty body"] = (AcmeMember, _ => Json(HttpMethod.Post, Workspaces, "")),
        ["create: null body"] = (AcmeMember, _ => Json(HttpMethod.Post, Workspaces, "null")),
        ["create: array instead of object"] = (AcmeMember, _ => Json(HttpMethod.Post, Workspaces, """[{"name":"arrayed","release_id":"demo-app@1.0.0"}]""")),
        ["create: string instead of object"] = (AcmeMember, _ => Json(HttpMethod.Post, Workspaces, "\"demo-app@1.0.0\"")),
        ["create: number instead of object"] = (AcmeMember, _ => Json(HttpMethod.Post, Workspaces, "42")),
        ["create: trailing comma"] = (AcmeMember, _ => Json(HttpMethod.Post, Workspaces, """{"name":"trailing","release_id":"demo-app@1.0.0",}""")),
        ["create: comment in JSON"] = (AcmeMember, _ => Json(HttpMethod.Post, Workspaces, """{"name":"commented" /* hi */,"release_id":"demo-app@1.0.0"}""")),
        ["create: nested 200 deep"] = (AcmeMember, _ => Json(HttpMethod.Post, Workspaces, $$"""{"name":{{new string('[', 200)}}{{new string(']', 200)}},"release_id":"demo-app@1.0.0"}""")),
        ["create: invalid UTF-8"] = (AcmeMember, _ => Bytes(HttpMethod.Post, Workspaces, [.. "{\"name\":\"ab"u8, 0xC3, 0x28, .. "c\",\"release_id\":\"demo-app@1.0.0\"}"u8], "application/json")),
        ["create: empty object"] = (AcmeMember, _ => Json(HttpMethod.Post, Workspaces, "{}")),
        ["create: size fields at the top level"] = (AcmeMember, _ => Json(HttpMethod.Post, Workspaces, """{"name":"flat","release_id":"ubuntu-vm@24.04","cpu":4,"memory_gb":16}""")),
        ["create: unknown size field"] = (AcmeMember, _ => Json(HttpMethod.Post, Workspaces, """{"name":"cpus","release_id":"ubuntu-vm@24.04","size":{"cpus":4}}""")),
        ["create: only unknown members"] = (AcmeMember, _ => Json(HttpMethod.Post, Workspaces, """{"workspace":"x","release":"demo-app@1.0.0"}""")),
        ["create: nulls"] = (AcmeMember, _ => Json(HttpMethod.Post, Workspaces, """{"name":null,"release_id":null,"size":null}""")),

        // Create: members of the wrong type.
        ["create: name is a number"] = (AcmeMember, _ => Json(HttpMethod.Post, Workspaces, """{"name":123,"release_id":"demo-app@1.0.0"}""")),
        ["create: name is an object"] = (AcmeMember, _ => Json(HttpMethod.Post, Workspaces, """{"name":{"first":"a"},"release_id":"demo-app@1.0.0"}""")),
        ["create: name is true"] = (AcmeMember, _ => Json(HttpMethod.Post, Workspaces, """{"name":true,"release_id":"demo-app@1.0.0"}""")),
        ["create: release_id is an array"] = (AcmeMember, _ => Json(HttpMethod.Post, Workspaces, """{"name":"typed","release_id":["demo-app@1.0.0"]}""")),
        ["create: size is a string"] = (AcmeMember, _ => Json(HttpMethod.Post, Workspaces, """{"name":"typed","release_id":"demo-app@1.0.0","size":"large"}""")),
        ["create: cpu is a string"] = (AcmeMember, _ => Json(HttpMethod.Post, Workspaces, """{"name":"typed","release_id":"demo-app@1.0.0","size":{"cpu":"two"}}""")),
        ["create: cpu is a fraction"] = (AcmeMember, _ => Json(HttpMethod.Post, Workspaces, """{"name":"typed","release_id":"demo-app@1.0.0","size":{"cpu":1.5}}""")),
        ["create: cpu is huge"] = (AcmeMember, _ => Json(HttpMethod.Post, Workspaces, """{"name":"typed","release_id":"demo-app@1.0.0","size":{"cpu":99999999999999999999999}}""")),
        ["create: memory beyond double"] = (AcmeMember, _ => Json(HttpMethod.Post, Workspaces, """{"name":"typed","release_id":"demo-app@1.0.0","size":{"memory_gb":1e400}}""")),
        ["create: cpu int.MaxValue"] = (AcmeMember, _ => Json(HttpMethod.Post, Workspaces, """{"name":"typed","release_id":"demo-app@1.0.0","size":{"cpu":2147483647}}""")),
        ["create: negative cpu"] = (AcmeMember, _ => Json(HttpMethod.Post, Workspaces, """{"name":"typed","release_id":"demo-app@1.0.0","size":{"cpu":-2}}""")),
        ["create: negative memory"] = (AcmeMember, _ => Json(HttpMethod.Post, Workspaces, """{"name":"typed","release_id":"demo-app@1.0.0","size":{"memory_gb":-1}}""")),
        ["create: cpu int.MinValue"] = (AcmeMember, _ => Json(HttpMethod.Post, Workspaces, """{"name":"typed","release_id":"demo-app@1.0.0","size":{"cpu":-2147483648}}""")),

        // Create: names that must never become host or database names.
        ["create: NUL in name"] = (AcmeMember, _ => Json(HttpMethod.Post, Workspaces, """{"name":"ab\u0000cd","release_id":"demo-app@1.0.0"}""")),
        ["create: escape sequence in name"] = (AcmeMember, _ => Json(HttpMethod.Post, Workspaces, """{"name":"abc\u001b[31mred","release_id":"demo-app@1.0.0"}""")),
        ["create: newline at end of name"] = (AcmeMember, _ => Json(HttpMethod.Post, Workspaces, """{"name":"newline-end\n","release_id":"demo-app@1.0.0"}""")),
        ["create: tab in name"] = (AcmeMember, _ => Json(HttpMethod.Post, Workspaces, """{"name":"tab\tname","release_id":"demo-app@1.0.0"}""")),
        ["create: emoji in name"] = (AcmeMember, _ => Json(HttpMethod.Post, Workspaces, """{"name":"party-😀","release_id":"demo-app@1.0.0"}""")),
        ["create: accented name"] = (AcmeMember, _ => Json(HttpMethod.Post, Workspaces, """{"name":"café","release_id":"demo-app@1.0.0"}""")),
        ["create: fullwidth letters"] = (AcmeMember, _ => Json(HttpMethod.Post, Workspaces, """{"name":"ａｂｃ","release_id":"demo-app@1.0.0"}""")),
        ["create: path traversal name"] = (AcmeMember, _ => Json(HttpMethod.Post, Workspaces, """{"name":"../../etc","release_id":"demo-app@1.0.0"}""")),
        ["create: SQL in name"] = (AcmeMember, _ => Json(HttpMethod.Post, Workspaces, """{"name":"x'; drop table workspaces; --","release_id":"demo-app@1.0.0"}""")),
        ["create: 1000-character name"] = (AcmeMember, _ => Json(HttpMethod.Post, Workspaces, $$"""{"name":"{{new string('a', 1000)}}","release_id":"demo-app@1.0.0"}""")),
        ["create: body over 16 KiB"] = (AcmeMember, _ => Json(HttpMethod.Post, Workspaces, $$"""{"name":"big","release_id":"demo-app@1.0.0","padding":"{{new string('x', 20 * 1024)}}"}""")),
        ["create: name over 16 KiB"] = (AcmeMember, _ => Json(HttpMethod.Post, Workspaces, $$"""{"name":"{{new string('a', 40 * 1024)}}","release_id":"demo-app@1.0.0"}""")),
        ["create: duplicate name member"] = (AcmeMember, _ => Json(HttpMethod.Post, Workspaces, """{"name":"fine-name","name":"Not Fine","release_id":"demo-app@1.0.0"}""")),
        ["create: unknown release with odd characters"] = (AcmeMember, _ => Json(HttpMethod.Post, Workspaces, """{"name":"odd-release","release_id":"../../releases/demo-app-1.0.0.json"}""")),
        ["create: Idempotency-Key of 500 characters"] = (AcmeMember, _ => WithHeader(Json(HttpMethod.Post, Workspaces, """{"name":"long-key","release_id":"demo-app@2.0.0"}"""), "Idempotency-Key", new string('k', 500))),

        // Create: wrong content types.
        ["create: text/plain"] = (AcmeMember, _ => Bytes(HttpMethod.Post, Workspaces, """{"name":"plain-text","release_id":"demo-app@1.0.0"}"""u8.ToArray(), "text/plain")),
        ["create: form-urlencoded"] = (AcmeMember, _ => Bytes(HttpMethod.Post, Workspaces, "name=form-body&release_id=demo-app%401.0.0"u8.ToArray(), "application/x-www-form-urlencoded")),
        ["create: no content type"] = (AcmeMember, _ => Bytes(HttpMethod.Post, Workspaces, """{"name":"no-type","release_id":"demo-app@1.0.0"}"""u8.ToArray(), null)),
        ["create: XML"] = (AcmeMember, _ => Bytes(HttpMethod.Post, Workspaces, "<workspace><name>xml</name></workspace>"u8.ToArray(), "application/xml")),

        // Paging and filters.
        ["list: page=0"] = (AcmeMember, _ => Get($"{Workspaces}?page=0")),
        ["list: page=-1"] = (AcmeMember, _ => Get($"{Workspaces}?page=-1")),
        ["list: page=abc"] = (AcmeMember, _ => Get($"{Workspaces}?page=abc")),
        ["list: page=1.5"] = (AcmeMember, _ => Get($"{Workspaces}?page=1.5")),
        ["list: page beyond int"] = (AcmeMember, _ => Get($"{Workspaces}?page=99999999999999999999")),
        ["list: page_size=1000"] = (AcmeMember, _ => Get($"{Workspaces}?page_size=1000")),
        ["list: page_size=0"] = (AcmeMember, _ => Get($"{Workspaces}?page_size=0")),
        ["list: page_size=-5"] = (AcmeMember, _ => Get($"{Workspaces}?page_size=-5")),
        ["list: page_size=ten"] = (AcmeMember, _ => Get($"{Workspaces}?page_size=ten")),
        ["list: status=bogus"] = (AcmeMember, _ => Get($"{Workspaces}?status=bogus")),
        ["list: status=READY"] = (AcmeMember, _ => Get($"{Workspaces}?status=READY")),
        ["list: status=1"] = (AcmeMember, _ => Get($"{Workspaces}?status=1")),
        ["list: status with NUL"] = (AcmeMember, _ => Get($"{Workspaces}?status=ready%00")),
        ["admin list: status=bogus"] = (AcmeAdmin, _ => Get("/api/v1/admin/workspaces?status=bogus")),
        ["admin list: error_code=bogus"] = (AcmeAdmin, _ => Get("/api/v1/admin/workspaces?error_code=bogus")),
        ["admin list: page=abc"] = (AcmeAdmin, _ => Get("/api/v1/admin/workspaces?page=abc")),
        ["admin list: page_size=101"] = (AcmeAdmin, _ => Get("/api/v1/admin/workspaces?page_size=101")),
        ["admin emails: status=bogus"] = (AcmeAdmin, _ => Get("/api/v1/admin/emails?status=bogus")),
        ["admin emails: status=SENT"] = (AcmeAdmin, _ => Get("/api/v1/admin/emails?status=SENT")),
        ["admin emails: status=2"] = (AcmeAdmin, _ => Get("/api/v1/admin/emails?status=2")),
        ["admin emails: page=abc"] = (AcmeAdmin, _ => Get("/api/v1/admin/emails?page=abc")),
        ["admin emails: page beyond int"] = (AcmeAdmin, _ => Get("/api/v1/admin/emails?page=99999999999999999999")),
        ["admin emails: page_size=0"] = (AcmeAdmin, _ => Get("/api/v1/admin/emails?page_size=0")),
        ["admin emails: as a member"] = (AcmeMember, _ => Get("/api/v1/admin/emails")),
        ["outbox: status=bogus"] = (PlatformOps, _ => Get("/api/v1/platform/outbox?status=bogus")),
        ["outbox: page=0"] = (PlatformOps, _ => Get("/api/v1/platform/outbox?page=0")),
        ["outbox: page_size=ten"] = (PlatformOps, _ => Get("/api/v1/platform/outbox?page_size=ten")),

        // Ids that are unknown or not ids at all.
        ["get: unknown id"] = (AcmeMember, _ => Get($"{Workspaces}/{Guid.NewGuid()}")),
        ["get: non-GUID id"] = (AcmeMember, _ => Get($"{Workspaces}/not-a-guid")),
        ["get: numeric id"] = (AcmeMember, _ => Get($"{Workspaces}/12345")),
        ["get: empty GUID"] = (AcmeMember, _ => Get($"{Workspaces}/{Guid.Empty}")),
        ["get: encoded traversal id"] = (AcmeMember, _ => Get($"{Workspaces}/..%2F..%2Fadmin")),
        ["events: unknown id"] = (AcmeMember, _ => Get($"{Workspaces}/{Guid.NewGuid()}/events")),
        ["events: non-GUID id"] = (AcmeMember, _ => Get($"{Workspaces}/abc/events")),
        ["retry: unknown id"] = (AcmeMember, _ => Post($"{Workspaces}/{Guid.NewGuid()}/retry")),
        ["retry: non-GUID id"] = (AcmeMember, _ => Post($"{Workspaces}/xyz/retry")),
        ["retry: ready workspace with a junk body"] = (AcmeMember, ready => Json(HttpMethod.Post, $"{Workspaces}/{ready}/retry", "{{{{")),
        ["delete: unknown id"] = (AcmeMember, _ => new HttpRequestMessage(HttpMethod.Delete, $"{Workspaces}/{Guid.NewGuid()}")),
        ["delete: non-GUID id"] = (AcmeMember, _ => new HttpRequestMessage(HttpMethod.Delete, $"{Workspaces}/DROP%20TABLE")),
        ["delete: another tenant's workspace"] = (GlobexMember, ready => new HttpRequestMessage(HttpMethod.Delete, $"{Workspaces}/{ready}")),
        ["notification read: unknown id"] = (AcmeMember, _ => Post($"/api/v1/notifications/{Guid.NewGuid()}/read")),
        ["notification read: non-GUID id"] = (AcmeMember, _ => Post("/api/v1/notifications/first/read")),
        ["unknown route"] = (AcmeMember, _ => Get("/api/v1/nothing-here")),
        ["unknown API version"] = (AcmeMember, _ => Get("/api/v9/workspaces")),

        // Wrong methods.
        ["PUT on the workspace collection"] = (AcmeMember, _ => Json(HttpMethod.Put, Workspaces, """{"name":"put-it","release_id":"demo-app@1.0.0"}""")),
        ["DELETE on the workspace collection"] = (AcmeMember, _ => new HttpRequestMessage(HttpMethod.Delete, Workspaces)),
        ["PATCH on a workspace"] = (AcmeMember, ready => Json(HttpMethod.Patch, $"{Workspaces}/{ready}", """{"status":"ready"}""")),
        ["GET on retry"] = (AcmeMember, ready => Get($"{Workspaces}/{ready}/retry")),
        ["POST on releases"] = (AcmeMember, _ => Json(HttpMethod.Post, "/api/v1/releases", """{"id":"evil@1.0.0"}""")),
        ["DELETE on notifications"] = (AcmeMember, _ => new HttpRequestMessage(HttpMethod.Delete, "/api/v1/notifications")),

        // Platform endpoints, as the platform admin.
        ["faults: broken JSON"] = (PlatformOps, _ => Json(HttpMethod.Post, Faults, """{"step":"clone_vm","code":""")),
        ["faults: array"] = (PlatformOps, _ => Json(HttpMethod.Post, Faults, """[{"step":"clone_vm","code":"unknown"}]""")),
        ["faults: null body"] = (PlatformOps, _ => Json(HttpMethod.Post, Faults, "null")),
        ["faults: step is a number"] = (PlatformOps, _ => Json(HttpMethod.Post, Faults, """{"step":7,"code":"unknown"}""")),
        ["faults: times is a string"] = (PlatformOps, _ => Json(HttpMethod.Post, Faults, """{"step":"clone_vm","code":"unknown","times":"twice"}""")),
        ["faults: unknown step"] = (PlatformOps, _ => Json(HttpMethod.Post, Faults, """{"step":"format_disk","code":"unknown"}""")),
        ["faults: unknown code"] = (PlatformOps, _ => Json(HttpMethod.Post, Faults, """{"step":"clone_vm","code":"meteor_strike"}""")),
        ["faults: probability NaN-ish"] = (PlatformOps, _ => Json(HttpMethod.Post, Faults, """{"step":"clone_vm","code":"unknown","probability":"NaN"}""")),
        ["faults: latency beyond int"] = (PlatformOps, _ => Json(HttpMethod.Post, Faults, """{"step":"clone_vm","latency_ms":99999999999}""")),
        ["faults: negative times"] = (PlatformOps, _ => Json(HttpMethod.Post, Faults, """{"step":"clone_vm","code":"unknown","times":-3}""")),
        ["faults: on is a number"] = (PlatformOps, _ => Json(HttpMethod.Post, Faults, """{"step":"clone_vm","code":"unknown","on":1}""")),
        ["faults: on in capitals"] = (PlatformOps, _ => Json(HttpMethod.Post, Faults, """{"step":"clone_vm","code":"unknown","on":"EXECUTE"}""")),
        ["capacity: strings"] = (PlatformOps, _ => Json(HttpMethod.Put, Capacity, """{"cpu":"lots","memory_gb":"more"}""")),
        ["capacity: empty body"] = (PlatformOps, _ => Json(HttpMethod.Put, Capacity, "")),
        ["capacity: zero"] = (PlatformOps, _ => Json(HttpMethod.Put, Capacity, """{"cpu":0,"memory_gb":0}""")),
        ["capacity: beyond int"] = (PlatformOps, _ => Json(HttpMethod.Put, Capacity, """{"cpu":1e12,"memory_gb":64}""")),
        ["capacity: negative"] = (PlatformOps, _ => Json(HttpMethod.Put, Capacity, """{"cpu":-64,"memory_gb":-256}""")),
        ["artifact: malformed checksum header"] = (PlatformOps, _ => WithHeader(Bytes(HttpMethod.Put, "/api/v1/platform/releases/demo-app@2.0.0/artifact", [1, 2, 3], "application/octet-stream"), "X-Checksum-Sha256", "not-a-checksum")),
        ["artifact: unknown release"] = (PlatformOps, _ => Bytes(HttpMethod.Put, "/api/v1/platform/releases/ghost@0.0.1/artifact", [1, 2, 3], "application/octet-stream")),
        ["orphan cleanup: non-GUID id"] = (PlatformOps, _ => Post("/api/v1/platform/orphans/everything/retry-cleanup")),
        ["orphan cleanup: unknown id"] = (PlatformOps, _ => Post($"/api/v1/platform/orphans/{Guid.NewGuid()}/retry-cleanup")),
        ["outbox resend: non-GUID id"] = (PlatformOps, _ => Post("/api/v1/platform/outbox/all/resend")),
        ["outbox resend: unknown id"] = (PlatformOps, _ => Post($"/api/v1/platform/outbox/{Guid.NewGuid()}/resend")),

        // Authentication endpoints.
        ["login: broken JSON"] = (Anonymous, _ => Json(HttpMethod.Post, "/api/v1/auth/login", """{"email":""")),
        ["login: wrong types"] = (Anonymous, _ => Json(HttpMethod.Post, "/api/v1/auth/login", """{"email":1,"password":[]}""")),
        ["login: empty body"] = (Anonymous, _ => Json(HttpMethod.Post, "/api/v1/auth/login", "")),
        ["register: valid-looking body"] = (Anonymous, _ => Json(HttpMethod.Post, "/api/v1/auth/register", """{"email":"new@evil.test","password":"Evil-pass-1!"}""")),
        ["register: broken JSON"] = (Anonymous, _ => Json(HttpMethod.Post, "/api/v1/auth/register", """{"email":""")),
        ["register: as a tenant admin"] = (AcmeAdmin, _ => Json(HttpMethod.Post, "/api/v1/auth/register", """{"email":"friend@acme.test","password":"Friend-pass-1!"}""")),
    };

    private const string Anonymous = "";

    public static TheoryData<string> CaseNames => new(Cases.Keys);

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task MalformedRequest_Gets4xxProblemWithCode_AndChangesNothing(string name)
    {
        var (user, build) = Cases[name];
        using var client = user == Anonymous ? portal.Anonymous() : await portal.LoginAsync(user);
        using var request = build(portal.ReadyWorkspace);
        // Should an earlier case have been wrongly accepted, its workspace settles before this one counts.
        await portal.WaitForQuietAsync();
        var before = await portal.CountRowsAsync();

        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);

        await response.ShouldBeClientProblemAsync();
        (await portal.CountRowsAsync()).ShouldBe(before, name);
    }

    [Theory]
    [InlineData("""{"name":"flat","release_id":"ubuntu-vm@24.04","cpu":4}""", "'cpu' is not a field of this request.")]
    [InlineData("""{"name":"cpus","release_id":"ubuntu-vm@24.04","size":{"cpus":4}}""", "'size.cpus' is not a field of this request.")]
    [InlineData("""{"name":"typed","release_id":"ubuntu-vm@24.04","size":{"cpu":"two"}}""", "'size.cpu' has a value of the wrong type.")]
    [InlineData("""{"name": "broken", "release_id": """, "The request body is not well-formed JSON (line 1, position")]
    public async Task UnreadableBody_IsAnsweredWithWhatIsWrongWithIt(string body, string detail)
    {
        using var client = await portal.LoginAsync(AcmeMember);
        await portal.WaitForQuietAsync();
        var before = await portal.CountRowsAsync();

        using var response = await client.SendAsync(Json(HttpMethod.Post, Workspaces, body), TestContext.Current.CancellationToken);

        var problem = await response.ShouldBeProblemAsync(System.Net.HttpStatusCode.BadRequest, "invalid_request");
        problem.GetProperty("detail").GetString().ShouldStartWith(detail);
        (await portal.CountRowsAsync()).ShouldBe(before);
    }

    [Fact]
    public async Task UnreadableQueryValue_SaysWhichParameterAndWhatItMustBe()
    {
        using var client = await portal.LoginAsync(AcmeMember);

        using var response = await client.GetAsync($"{Workspaces}?page=abc", TestContext.Current.CancellationToken);

        var problem = await response.ShouldBeProblemAsync(System.Net.HttpStatusCode.BadRequest, "invalid_request");
        problem.GetProperty("detail").GetString().ShouldBe("'page' must be a whole number; \"abc\" is not.");
    }

    [Fact]
    public async Task List_PageFarBeyondTheEnd_IsAnEmptyPage_NotAnError()
    {
        using var client = await portal.LoginAsync(AcmeMember);

        using var response = await client.GetAsync($"{Workspaces}?page=2147483647&page_size=100", TestContext.Current.CancellationToken);

        var page = await response.ShouldBeJsonAsync(System.Net.HttpStatusCode.OK);
        page.GetProperty("items").GetArrayLength().ShouldBe(0);
        page.GetProperty("page").GetInt32().ShouldBe(int.MaxValue);
    }

    [Fact]
    public void TheCases_AreAtLeastThirty() => Cases.Count.ShouldBeGreaterThanOrEqualTo(30);

    private static HttpRequestMessage Json(HttpMethod method, string path, string json) =>
        Bytes(method, path, Encoding.UTF8.GetBytes(json), "application/json");

    private static HttpRequestMessage Bytes(HttpMethod method, string path, byte[] body, string? contentType)
    {
        var content = new ByteArrayContent(body);
        if (contentType is not null)
        {
            content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        return new HttpRequestMessage(method, path) { Content = content };
    }

    private static HttpRequestMessage Get(string path) => new(HttpMethod.Get, path);

    private static HttpRequestMessage Post(string path) => new(HttpMethod.Post, path);

    private static HttpRequestMessage WithHeader(HttpRequestMessage request, string header, string value)
    {
        request.Headers.TryAddWithoutValidation(header, value);
        return request;
    }
}
