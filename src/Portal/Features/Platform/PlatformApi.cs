using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Portal.Api;
using Portal.Features.Identity;
using Provisioning.Core.Engine;
using Provisioning.Core.Errors;
using Provisioning.Core.Releases;
using Provisioning.Core.Simulator;

namespace Portal.Features.Platform;

public static class PlatformApi
{
    /// <summary>Release artifacts are small demo documents here; 64 MiB leaves room for real ones.</summary>
    private const long MaxArtifactBytes = 64L * 1024 * 1024;

    public static IEndpointRouteBuilder MapPlatformApi(this IEndpointRouteBuilder app)
    {
        var platform = app.MapGroup("/api/v1/platform")
            .WithTags("Platform admin")
            .RequireAuthorization(PortalPolicies.PlatformAdmin);

        platform.MapPut("/releases/{id}/artifact", PublishArtifactAsync).WithMetadata(new RequestSizeLimitAttribute(MaxArtifactBytes));
        platform.MapDelete("/releases/{id}/artifact", RemoveArtifactAsync);

        var simulator = platform.MapGroup("/simulator").WithMetadata(new RequestSizeLimitAttribute(16 * 1024));
        simulator.MapGet("/capacity", async (SimulatedInfrastructure sim, CancellationToken ct) => TypedResults.Ok(CapacityView.From(await sim.CapacityAsync(ct))));
        simulator.MapPut("/capacity", SetCapacityAsync);
        simulator.MapPost("/faults", AddFaultAsync);
        simulator.MapGet("/faults", async (SimulatedInfrastructure sim, CancellationToken ct) => TypedResults.Ok((await sim.FaultsAsync(ct)).Select(FaultView.From).ToList()));
        simulator.MapDelete("/faults", async (SimulatedInfrastructure sim, CancellationToken ct) =>
        {
            await sim.ClearFaultsAsync(ct);
            return TypedResults.NoContent();
        });
        simulator.MapGet("/inventory", async (SimulatedInfrastructure sim, CancellationToken ct) => TypedResults.Ok((await sim.InventoryAsync(ct)).Select(InventoryItem.From).ToList()));

        platform.MapGet("/orphans", async (OrphanedResources orphans, CancellationToken ct) => TypedResults.Ok(await orphans.ListAsync(ct)));
        platform.MapPost("/orphans/{id:guid}/retry-cleanup", RetryCleanupAsync);
        return app;
    }

    /// <summary>Stores the request body as the release's artifact; <c>X-Checksum-Sha256</c>, when given, must match it.</summary>
    public static async Task<Results<Ok<ReleaseView>, ValidationProblem, ProblemHttpResult>> PublishArtifactAsync(
        string id, [FromHeader(Name = "X-Checksum-Sha256")] string? checksum, HttpRequest request, ReleaseCatalog catalog, CancellationToken cancellationToken)
    {
        if (checksum is not null && !PlatformRules.IsSha256(checksum))
        {
            return ApiProblems.Invalid("X-Checksum-Sha256", "The checksum must be 64 hexadecimal characters.");
        }

        var (outcome, release, detail) = await catalog.PublishAsync(id, request.Body, checksum, cancellationToken);
        return outcome switch
        {
            PublishOutcome.Published => TypedResults.Ok(release!),
            PublishOutcome.ChecksumMismatch => ApiProblems.Problem(StatusCodes.Status422UnprocessableEntity, ErrorCatalogue.ChecksumMismatch, detail!),
            PublishOutcome.InvalidArtifact => ApiProblems.Problem(StatusCodes.Status422UnprocessableEntity, "invalid_artifact", detail!),
            _ => ApiProblems.NotFound("release"),
        };
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> RemoveArtifactAsync(string id, ReleaseCatalog catalog, CancellationToken cancellationToken) =>
        await catalog.RemoveArtifactAsync(id, cancellationToken) ? TypedResults.NoContent() : ApiProblems.NotFound("release");

    public static async Task<Results<Ok<CapacityView>, ValidationProblem>> SetCapacityAsync(
        CapacityRequest? body, SimulatedInfrastructure sim, CancellationToken cancellationToken)
    {
        var errors = PlatformRules.CheckCapacity(body);
        if (errors.Count > 0)
        {
            return ApiProblems.Invalid(errors);
        }

        return TypedResults.Ok(CapacityView.From(await sim.SetCapacityAsync(body!.Cpu!.Value, body.MemoryGb!.Value, cancellationToken)));
    }

    /// <summary>Injects a fault: an error from the catalogue, latency, or both, on a step's execute or compensate.</summary>
    public static async Task<Results<Created<FaultView>, ValidationProblem>> AddFaultAsync(
        FaultRequest? body, SimulatedInfrastructure sim, TimeProvider time, CancellationToken cancellationToken)
    {
        var errors = PlatformRules.CheckFault(body, out var phase);
        if (errors.Count > 0)
        {
            return ApiProblems.Invalid(errors);
        }

        var fault = await sim.AddFaultAsync(PlatformRules.ToFault(body!, phase, time.GetUtcNow()), cancellationToken);
        return TypedResults.Created($"/api/v1/platform/simulator/faults/{fault.Id}", FaultView.From(fault));
    }

    public static async Task<Results<Accepted<CleanupResult>, ProblemHttpResult>> RetryCleanupAsync(
        Guid id, ClaimsPrincipal principal, OrphanedResources orphans, CancellationToken cancellationToken)
    {
        var result = await orphans.RetryCleanupAsync(id, CurrentUser.From(principal)!.Actor, cancellationToken);
        if (result is not { } done)
        {
            return ApiProblems.NotFound("orphaned resource");
        }

        return TypedResults.Accepted($"/api/v1/platform/orphans",
            new CleanupResult(done.Resource.Id, done.Error is null ? "released" : "orphaned", done.Error));
    }
}
