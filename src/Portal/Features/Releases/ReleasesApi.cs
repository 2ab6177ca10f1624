using Microsoft.AspNetCore.Http.HttpResults;
using Portal.Features.Identity;
using Provisioning.Core.Releases;

namespace Portal.Features.Releases;

public static class ReleasesApi
{
    public static IEndpointRouteBuilder MapReleasesApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/v1/releases")
            .WithTags("Releases")
            .RequireAuthorization()
            .MapGet("/", ListAsync);
        return app;
    }

    public static async Task<Ok<IReadOnlyList<ReleaseView>>> ListAsync(ReleaseCatalog catalog, CancellationToken cancellationToken) =>
        TypedResults.Ok(await catalog.ListAsync(cancellationToken));
}
