using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Security.Claims;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Portal.Security;

/// <summary><c>Throttling</c>: how often one client may try to sign in, one account be tried, one user ask for expensive work.</summary>
public sealed class ThrottlingOptions : IValidatableObject
{
    public const string Section = "Throttling";

    /// <summary>Off only where the limits would get in the way of measuring something else (a benchmark).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Sign-in attempts (page, API login and refresh, invitation accept) from one client address: what slows password spraying.</summary>
    public Limit SignInPerClient { get; set; } = new() { PermitLimit = 20, Window = TimeSpan.FromMinutes(1) };

    /// <summary>Sign-in attempts at one account, from anywhere: what slows guessing one password from many addresses.</summary>
    public Limit SignInPerAccount { get; set; } = new() { PermitLimit = 10, Window = TimeSpan.FromMinutes(5) };

    /// <summary>Workspace creations and retries by one user, API and pages together.</summary>
    public Limit WritesPerUser { get; set; } = new() { PermitLimit = 30, Window = TimeSpan.FromMinutes(1) };

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var (name, limit) in new[] { (nameof(SignInPerClient), SignInPerClient), (nameof(SignInPerAccount), SignInPerAccount), (nameof(WritesPerUser), WritesPerUser) })
        {
            if (limit.PermitLimit is < 1 or > 1_000_000)
            {
                yield return new ValidationResult($"{Section}:{name}:PermitLimit must be between 1 and 1000000.");
            }

            if (limit.Window < TimeSpan.FromSeconds(1) || limit.Window > TimeSpan.FromDays(1))
            {
                yield return new ValidationResult($"{Section}:{name}:Window must be between 00:00:01 and 1.00:00:00.");
            }
        }
    }

    /// <summary>So many attempts per window; the window starts with the first and the count starts over when it ends.</summary>
    public sealed class Limit
    {
        public int PermitLimit { get; set; }

        public TimeSpan Window { get; set; }
    }
}

/// <summary>What a refused attempt is told: when to try again.</summary>
public readonly record struct Throttled(TimeSpan RetryAfter)
{
    public int Seconds => Math.Max(1, (int)Math.Ceiling(RetryAfter.TotalSeconds));

    /// <summary>429 with <c>Retry-After</c> in whole seconds: the status line of every refusal, API or page.</summary>
    public void Answer(HttpResponse response)
    {
        response.StatusCode = StatusCodes.Status429TooManyRequests;
        response.Headers.RetryAfter = Seconds.ToString(CultureInfo.InvariantCulture);
    }
}

/// <summary>
/// The portal's rate limits (issue 18), on ASP.NET Core's rate limiter: fixed windows per client address for sign-in
/// requests, per account for sign-in attempts, per user for workspace creations and retries. The same limiters serve
/// the middleware (requests by path) and the places that know more than a path does (the account a sign-in names, a
/// retry clicked on a live page), so a limit is one limit however it is reached. Each node counts on its own.
/// </summary>
public sealed class PortalThrottle : IDisposable
{
    private const string None = "";
    private readonly ThrottlingOptions _options;
    private readonly PartitionedRateLimiter<string> _signInByClient;
    private readonly PartitionedRateLimiter<string> _signInByAccount;
    private readonly PartitionedRateLimiter<string> _writesByUser;

    public PortalThrottle(IOptions<ThrottlingOptions> options)
    {
        _options = options.Value;
        _signInByClient = Limiter(_options.SignInPerClient);
        _signInByAccount = Limiter(_options.SignInPerAccount);
        _writesByUser = Limiter(_options.WritesPerUser);
    }

    /// <summary>The limiter the middleware runs every request through: sign-in requests by client, API writes by user, the rest not at all.</summary>
    public PartitionedRateLimiter<HttpContext> ForRequests() => PartitionedRateLimiter.CreateChained(
        _signInByClient.WithTranslatedKey<HttpContext>(context => IsSignIn(context.Request) ? ClientOf(context) : None, leaveOpen: true),
        _writesByUser.WithTranslatedKey<HttpContext>(context => IsApiWrite(context.Request) ? UserOf(context.User) : None, leaveOpen: true));

    /// <summary>One sign-in attempt at <paramref name="account"/> (its address as given); null when it may go ahead.</summary>
    public Throttled? SignInAttempt(string? account) =>
        string.IsNullOrWhiteSpace(account) ? null : Acquire(_signInByAccount, account.Trim().ToUpperInvariant());

    /// <summary>One workspace creation or retry by <paramref name="userId"/> from a page (the API's are counted by the middleware).</summary>
    public Throttled? Write(string userId) => Acquire(_writesByUser, userId);

    public void Dispose()
    {
        _signInByClient.Dispose();
        _signInByAccount.Dispose();
        _writesByUser.Dispose();
    }

    /// <summary>Where a sign-in is tried: the page's form post, the API's login and refresh, an invitation accepted.</summary>
    internal static bool IsSignIn(HttpRequest request) =>
        HttpMethods.IsPost(request.Method)
        && (request.Path.Equals("/signin", StringComparison.OrdinalIgnoreCase)
            || request.Path.Equals("/account/accept-invitation", StringComparison.OrdinalIgnoreCase)
            || request.Path.Equals("/api/v1/auth/login", StringComparison.OrdinalIgnoreCase)
            || request.Path.Equals("/api/v1/auth/refresh", StringComparison.OrdinalIgnoreCase)
            || request.Path.Equals("/api/v1/auth/accept-invitation", StringComparison.OrdinalIgnoreCase)
            || request.Path.Equals("/api/v1/auth/forgotPassword", StringComparison.OrdinalIgnoreCase)
            || request.Path.Equals("/api/v1/auth/resetPassword", StringComparison.OrdinalIgnoreCase));

    /// <summary>The API's expensive writes: a new workspace, a retry.</summary>
    internal static bool IsApiWrite(HttpRequest request) =>
        HttpMethods.IsPost(request.Method)
        && request.Path.StartsWithSegments("/api/v1/workspaces", out var rest)
        && (!rest.HasValue || rest == "/" || rest.Value!.EndsWith("/retry", StringComparison.OrdinalIgnoreCase));

    private PartitionedRateLimiter<string> Limiter(ThrottlingOptions.Limit limit) => PartitionedRateLimiter.Create<string, string>(key =>
        !_options.Enabled || key.Length == 0
            ? RateLimitPartition.GetNoLimiter(None)
            : RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = limit.PermitLimit,
                Window = limit.Window,
                QueueLimit = 0,
                AutoReplenishment = true,
            }));

    private static Throttled? Acquire(PartitionedRateLimiter<string> limiter, string key)
    {
        using var lease = limiter.AttemptAcquire(key);
        return lease.IsAcquired ? null : new Throttled(lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromSeconds(1));
    }

    // Behind a known proxy, the forwarded address (BehindProxy); otherwise the connection's.
    private static string ClientOf(HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    private static string UserOf(ClaimsPrincipal user) => user.FindFirstValue(ClaimTypes.NameIdentifier) ?? None;
}

public static class ThrottlingExtensions
{
    public static WebApplicationBuilder AddThrottling(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<ThrottlingOptions>().BindConfiguration(ThrottlingOptions.Section).ValidateDataAnnotations();
        builder.Services.AddSingleton<PortalThrottle>();
        builder.Services.AddOptions<RateLimiterOptions>().Configure<PortalThrottle>((options, throttle) =>
        {
            options.GlobalLimiter = throttle.ForRequests();
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.OnRejected = (context, cancellationToken) => RejectAsync(
                context.HttpContext,
                new Throttled(context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromSeconds(1)),
                PortalThrottle.IsSignIn(context.HttpContext.Request) ? "Too many sign-in attempts from your address." : "Too many workspace requests in a short time.",
                cancellationToken);
        });
        builder.Services.AddRateLimiter(_ => { });
        return builder;
    }

    /// <summary>Bad limits stop the start with one line naming the setting.</summary>
    public static void CheckThrottlingConfiguration(this IServiceProvider services) =>
        Provisioning.Core.InvalidConfigurationException.Check(() => _ = services.GetRequiredService<IOptions<ThrottlingOptions>>().Value);

    /// <summary>After authentication, so API writes are counted by user.</summary>
    public static IApplicationBuilder UseThrottling(this IApplicationBuilder app) => app.UseRateLimiter();

    /// <summary>
    /// 429 with <c>Retry-After</c>: problem+json (code <c>too_many_requests</c>) for the API, a short page for a browser's
    /// form post.
    /// </summary>
    public static async ValueTask RejectAsync(HttpContext context, Throttled throttled, string what, CancellationToken cancellationToken)
    {
        var detail = $"{what} Try again in {throttled.Seconds} seconds.";
        throttled.Answer(context.Response);
        if (context.Request.Path.StartsWithSegments("/api"))
        {
            var problem = new ProblemDetails { Status = 429, Title = "Too many requests", Detail = detail };
            problem.Extensions["code"] = "too_many_requests";
            problem.Extensions["retry_after_seconds"] = throttled.Seconds;
            await context.Response.WriteAsJsonAsync(problem, options: null, contentType: "application/problem+json", cancellationToken);
            return;
        }

        context.Response.ContentType = "text/html; charset=utf-8";
        await context.Response.WriteAsync(
            $"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Too many attempts · Provisioning Portal</title></head>" +
            $"<body><main><h1>Too many attempts</h1><p>{System.Net.WebUtility.HtmlEncode(detail)}</p><p><a href=\"/signin\">Back to sign-in</a></p></main></body></html>",
            cancellationToken);
    }
}
