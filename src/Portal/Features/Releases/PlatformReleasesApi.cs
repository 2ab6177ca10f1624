using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Portal.Api;
using Portal.Features.Identity;
using Portal.Features.Workspaces;
using Provisioning.Core.Releases;

namespace Portal.Features.Releases;

/// <summary>What a platform admin sends to create a release.</summary>
public sealed record NewReleaseRequest(
    string? Name, string? Version, string? Template, int? DefaultCpu, int? DefaultMemoryGb, string? Description, string? Source)
{
    /// <summary>The release to create, once <see cref="PlatformReleasesApi.Check"/> found nothing wrong: blank texts are none.</summary>
    public NewRelease ToRelease() =>
        new(Name!, Version!, Template!, DefaultCpu!.Value, DefaultMemoryGb!.Value, Blank(Description), Blank(Source));

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}

/// <summary>
/// Releases as platform admins manage them (issue 15, point 5): create one of any loaded template, list them all
/// (retired ones too), retire one. Its artifact is published with <c>PUT …/artifact</c> (PlatformApi), where it is
/// checked against what its template reads.
/// </summary>
public static partial class PlatformReleasesApi
{
    public static IEndpointRouteBuilder MapPlatformReleasesApi(this IEndpointRouteBuilder app)
    {
        var releases = app.MapGroup("/api/v1/platform/releases")
            .WithTags("Platform")
            .RequireAuthorization(PortalPolicies.PlatformAdmin)
            .WithMetadata(new Microsoft.AspNetCore.Mvc.RequestSizeLimitAttribute(16 * 1024));
        releases.MapGet("/", async (ReleaseCatalog catalog, CancellationToken ct) => TypedResults.Ok(await catalog.ListAsync(ct, includeRetired: true)));
        releases.MapPost("/", CreateAsync);
        releases.MapGet("/{id}", GetAsync).WithName("GetPlatformRelease");
        releases.MapPost("/{id}/retire", RetireAsync);
        return app;
    }

    public static async Task<Results<CreatedAtRoute<ReleaseView>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        NewReleaseRequest? body, ReleaseCatalog catalog, CancellationToken cancellationToken)
    {
        var errors = Check(body);
        if (errors.Count > 0)
        {
            return ApiProblems.Invalid(errors);
        }

        var (outcome, release) = await catalog.CreateAsync(body!.ToRelease(), cancellationToken);
        return outcome switch
        {
            CreateReleaseOutcome.Created => TypedResults.CreatedAtRoute(release!, "GetPlatformRelease", new { id = release!.Id }),
            CreateReleaseOutcome.Exists => ApiProblems.Problem(StatusCodes.Status409Conflict, "release_exists", $"Release {body.Name}@{body.Version} already exists."),
            _ => ApiProblems.Problem(StatusCodes.Status422UnprocessableEntity, "unknown_template",
                $"There is no template '{body.Template}': GET /api/v1/platform/templates lists the loaded ones."),
        };
    }

    public static async Task<Results<Ok<ReleaseView>, ProblemHttpResult>> GetAsync(string id, ReleaseCatalog catalog, CancellationToken cancellationToken) =>
        await catalog.FindAsync(id, cancellationToken) is { } release ? TypedResults.Ok(release) : ApiProblems.NotFound("release");

    public static async Task<Results<Ok<ReleaseView>, ProblemHttpResult>> RetireAsync(string id, ReleaseCatalog catalog, CancellationToken cancellationToken) =>
        await catalog.RetireAsync(id, cancellationToken) is { } release ? TypedResults.Ok(release) : ApiProblems.NotFound("release");

    internal static Dictionary<string, string[]> Check(NewReleaseRequest? body)
    {
        var errors = new Dictionary<string, string[]>();
        if (body?.Name is null || !ReleaseName().IsMatch(body.Name))
        {
            errors["name"] = ["name must be lowercase letters, digits and -, starting with a letter or digit, at most 64 characters."];
        }

        if (body?.Version is null || !ReleaseVersion().IsMatch(body.Version))
        {
            errors["version"] = ["version must be letters, digits, '.', '-' and '+', starting with a letter or digit, at most 28 characters."];
        }

        if (string.IsNullOrWhiteSpace(body?.Template))
        {
            errors["template"] = ["template is required: the name of a loaded template."];
        }

        // Required here, unlike a workspace request's size, which falls back to these very defaults.
        if (body?.DefaultCpu is null)
        {
            errors["default_cpu"] = ["default_cpu is required."];
        }
        else if (WorkspaceRules.CheckCpu(body.DefaultCpu) is { } cpu)
        {
            errors["default_cpu"] = [cpu.Replace("cpu", "default_cpu", StringComparison.Ordinal)];
        }

        if (body?.DefaultMemoryGb is null)
        {
            errors["default_memory_gb"] = ["default_memory_gb is required."];
        }
        else if (WorkspaceRules.CheckMemory(body.DefaultMemoryGb) is { } memory)
        {
            errors["default_memory_gb"] = [memory.Replace("memory_gb", "default_memory_gb", StringComparison.Ordinal)];
        }

        if (body?.Description is { Length: > ReleaseRules.MaxDescriptionLength })
        {
            errors["description"] = [$"description must be at most {ReleaseRules.MaxDescriptionLength} characters."];
        }

        if (body?.Source is { Length: > ReleaseRules.MaxSourceLength })
        {
            errors["source"] = [$"source must be at most {ReleaseRules.MaxSourceLength} characters."];
        }

        return errors;
    }

    [GeneratedRegex(@"^[a-z0-9][a-z0-9-]{0,63}\z", RegexOptions.CultureInvariant)]
    private static partial Regex ReleaseName();

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9.+-]{0,27}\z", RegexOptions.CultureInvariant)]
    private static partial Regex ReleaseVersion();
}
