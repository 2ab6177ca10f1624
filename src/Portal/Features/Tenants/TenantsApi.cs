using Microsoft.AspNetCore.Http.HttpResults;
using Portal.Api;
using Portal.Features.Identity;

namespace Portal.Features.Tenants;

/// <summary><c>/api/v1/platform/tenants</c>: platform admins create, list, rename, deactivate and reactivate tenants.</summary>
public static class TenantsApi
{
    public static IEndpointRouteBuilder MapTenantsApi(this IEndpointRouteBuilder app)
    {
        var tenants = app.MapGroup("/api/v1/platform/tenants")
            .WithTags("Platform admin")
            .RequireAuthorization(PortalPolicies.PlatformAdmin);
        tenants.MapGet("/", async (TenantDirectory directory, CancellationToken ct) => TypedResults.Ok(await directory.ListAsync(ct)));
        tenants.MapGet("/{id}", GetAsync);
        tenants.MapPost("/", CreateAsync);
        tenants.MapPatch("/{id}", ChangeAsync);
        return app;
    }

    public static async Task<Results<Ok<TenantView>, ProblemHttpResult>> GetAsync(string id, TenantDirectory directory, CancellationToken cancellationToken) =>
        await directory.GetAsync(id, cancellationToken) is { } view ? TypedResults.Ok(view) : ApiProblems.NotFound("tenant");

    public static async Task<Results<Created<TenantView>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        NewTenant? body, TenantDirectory directory, CancellationToken cancellationToken)
    {
        var errors = TenantDirectory.Check(body);
        if (errors.Count > 0)
        {
            return ApiProblems.Invalid(errors);
        }

        return await directory.CreateAsync(body!, cancellationToken) is { } view
            ? TypedResults.Created($"/api/v1/platform/tenants/{view.Id}", view)
            : ApiProblems.Problem(StatusCodes.Status409Conflict, "tenant_exists", $"A tenant with the id '{body!.Id}' exists already.");
    }

    public static async Task<Results<Ok<TenantView>, ValidationProblem, ProblemHttpResult>> ChangeAsync(
        string id, TenantChange? body, TenantDirectory directory, CancellationToken cancellationToken)
    {
        if (body is null || (body.Name is null && body.Active is null))
        {
            return ApiProblems.Invalid("name", "Give a new name, or active: false to deactivate the tenant (true to reactivate it).");
        }

        if (body.Name is not null && TenantDirectory.NameError(body.Name) is { } nameError)
        {
            return ApiProblems.Invalid("name", nameError);
        }

        return await directory.ChangeAsync(id, body, cancellationToken) is { } view ? TypedResults.Ok(view) : ApiProblems.NotFound("tenant");
    }
}
