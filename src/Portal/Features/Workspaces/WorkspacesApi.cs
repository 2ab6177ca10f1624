using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Portal.Api;
using Portal.Features.Identity;
using Provisioning.Core.Errors;
using Provisioning.Core.Identity;
using Provisioning.Core.Scheduling;
using Provisioning.Core.Workspaces;

namespace Portal.Features.Workspaces;

public static class WorkspacesApi
{
    /// <summary>Request bodies here are small JSON documents.</summary>
    private const long MaxBodyBytes = 16 * 1024;

    public static IEndpointRouteBuilder MapWorkspacesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/workspaces")
            .WithTags("Workspaces")
            .RequireAuthorization(PortalPolicies.TenantUser)
            .WithMetadata(new RequestSizeLimitAttribute(MaxBodyBytes));

        api.MapPost("/", CreateAsync);
        api.MapGet("/", ListAsync);
        api.MapGet("/{id:guid}", GetAsync).WithName("GetWorkspace");
        api.MapPost("/{id:guid}/retry", RetryAsync);
        api.MapGet("/{id:guid}/events", EventsAsync);
        api.MapGet("/{id:guid}/resources", ResourcesAsync);
        api.MapGet("/{id:guid}/steps/{step}/logs", StepLogAsync);
        api.MapDelete("/{id:guid}", DeleteAsync);
        return app;
    }

    public static async Task<Results<AcceptedAtRoute<WorkspaceAccepted>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        CreateWorkspaceRequest? body, [FromHeader(Name = "Idempotency-Key")] string? idempotencyKey,
        ClaimsPrincipal principal, ProvisioningRequests requests, CancellationToken cancellationToken)
    {
        var user = CurrentUser.From(principal)!;
        var errors = new Dictionary<string, string[]>();
        Add(errors, "name", WorkspaceRules.CheckName(body?.Name));
        Add(errors, "release_id", string.IsNullOrWhiteSpace(body?.ReleaseId) ? "A release is required." : null);
        Add(errors, "size.cpu", WorkspaceRules.CheckCpu(body?.Size?.Cpu));
        Add(errors, "size.memory_gb", WorkspaceRules.CheckMemory(body?.Size?.MemoryGb));
        if (idempotencyKey is { Length: 0 or > 200 })
        {
            errors["Idempotency-Key"] = ["The Idempotency-Key header must be 1–200 characters."];
        }

        if (errors.Count > 0)
        {
            return ApiProblems.Invalid(errors);
        }

        var result = await requests.CreateAsync(
            new CreateWorkspace(user.TenantId!, user.Actor, body!.Name!, body.ReleaseId!, body.Size?.Cpu, body.Size?.MemoryGb, idempotencyKey),
            cancellationToken);
        return result switch
        {
            { Refusal: CreateRefusal.UnknownRelease } => ApiProblems.Problem(StatusCodes.Status422UnprocessableEntity, "unknown_release", $"There is no release '{body.ReleaseId}'."),
            { Refusal: CreateRefusal.ReleaseRetired } => ApiProblems.Problem(StatusCodes.Status422UnprocessableEntity, "release_retired",
                $"Release '{body.ReleaseId}' is retired: choose a newer one."),
            { Refusal: CreateRefusal.TemplateNotLoaded } => ApiProblems.Problem(StatusCodes.Status422UnprocessableEntity, "template_not_loaded",
                $"Release '{body.ReleaseId}' provisions with a template this portal has not loaded; a platform admin must restore it."),
            { Refusal: CreateRefusal.NameTaken } => ApiProblems.Problem(StatusCodes.Status409Conflict, "name_taken", $"A workspace named '{body.Name}' already exists."),
            { Refusal: CreateRefusal.IdempotencyKeyReused } => ApiProblems.Problem(StatusCodes.Status422UnprocessableEntity, "idempotency_key_reused",
                "This Idempotency-Key was already used for a different request."),
            // A repeated Idempotency-Key gets the same answer as the first request, about the same workspace.
            { Workspace: { } workspace } => TypedResults.AcceptedAtRoute(Accepted(workspace), "GetWorkspace", new { id = workspace.Id }),
            _ => throw new InvalidOperationException("A create result has a workspace or a refusal."),
        };
    }

    public static async Task<Results<Ok<PageOf<WorkspaceSummary>>, ValidationProblem>> ListAsync(
        string? status, int? page, [FromQuery(Name = "page_size")] int? pageSize, ClaimsPrincipal principal, WorkspaceQueries queries, CancellationToken cancellationToken)
    {
        var errors = WorkspaceRules.CheckPaging(page, pageSize);
        if (!WorkspaceRules.TryParseStatus(status, out var parsed))
        {
            errors["status"] = [ApiEnums.OneOf<WorkspaceStatus>("status")];
        }

        if (errors.Count > 0)
        {
            return ApiProblems.Invalid(errors);
        }

        var user = CurrentUser.From(principal)!;
        return TypedResults.Ok(await queries.ListAsync(user.TenantId!, parsed, page ?? 1, pageSize ?? 20, cancellationToken));
    }

    public static async Task<Results<Ok<WorkspaceDetail>, ProblemHttpResult>> GetAsync(
        Guid id, ClaimsPrincipal principal, WorkspaceQueries queries, CancellationToken cancellationToken) =>
        await queries.GetAsync(CurrentUser.From(principal)!.TenantId!, id, cancellationToken) is { } workspace
            ? TypedResults.Ok(workspace)
            : ApiProblems.NotFound();

    /// <summary>A step's log lines (DESIGN §11): <c>?attempt=</c> (default: the latest with lines), <c>after=</c> a line number, <c>limit=</c> up to 1000.</summary>
    public static async Task<Results<Ok<StepLogPage>, ValidationProblem, ProblemHttpResult>> StepLogAsync(
        Guid id, string step, int? attempt, int? after, int? limit, ClaimsPrincipal principal, WorkspaceQueries queries, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (attempt is < 1)
        {
            errors["attempt"] = ["attempt must be 1 or more."];
        }

        if (after is < 0)
        {
            errors["after"] = ["after must be 0 or more."];
        }

        if (limit is < 1 or > WorkspaceRules.MaxLogLinesPerPage)
        {
            errors["limit"] = [$"limit must be between 1 and {WorkspaceRules.MaxLogLinesPerPage}."];
        }

        if (errors.Count > 0)
        {
            return ApiProblems.Invalid(errors);
        }

        return await queries.StepLogAsync(CurrentUser.From(principal)!.TenantId!, id, step, attempt, after ?? 0, limit ?? WorkspaceRules.MaxLogLinesPerPage, cancellationToken) is { } page
            ? TypedResults.Ok(page)
            : ApiProblems.NotFound();
    }

    public static async Task<Results<Accepted<RetryAccepted>, ValidationProblem, ProblemHttpResult>> RetryAsync(
        Guid id, RetryRequest? body, ClaimsPrincipal principal, ProvisioningRequests requests, CancellationToken cancellationToken)
    {
        var user = CurrentUser.From(principal)!;
        WorkspaceSize? size = null;
        if (body?.Size is { } wanted)
        {
            var errors = new Dictionary<string, string[]>();
            Add(errors, "size.cpu", wanted.Cpu is null ? "CPU is required with a size." : WorkspaceRules.CheckCpu(wanted.Cpu));
            Add(errors, "size.memory_gb", wanted.MemoryGb is null ? "Memory is required with a size." : WorkspaceRules.CheckMemory(wanted.MemoryGb));
            if (errors.Count > 0)
            {
                return ApiProblems.Invalid(errors);
            }

            size = new WorkspaceSize(wanted.Cpu!.Value, wanted.MemoryGb!.Value);
        }

        var result = await requests.RetryAsync(id, user.TenantId!, user.Actor, size, cancellationToken);
        return result switch
        {
            { Attempt: { } attempt } => TypedResults.Accepted($"/api/v1/workspaces/{id}",
                new RetryAccepted(id, WorkspaceStatus.Provisioning, attempt.Number, attempt.CorrelationId, $"{RunAttemptJob.KeyFor(id)}#{attempt.Number}")),
            { Refusal: RetryRefusal.ProvisioningInProgress } => ApiProblems.Problem(StatusCodes.Status409Conflict, "provisioning_in_progress",
                "The workspace is already being provisioned."),
            { Refusal: RetryRefusal.NotInError } => ApiProblems.Problem(StatusCodes.Status409Conflict, "not_in_error",
                "Only a workspace in error can be retried."),
            { Refusal: RetryRefusal.ReleaseUnavailable, Error: { } error } => ApiProblems.Problem(StatusCodes.Status503ServiceUnavailable, ErrorCatalogue.ReleaseUnavailable,
                error.UserMessage, new Dictionary<string, object?> { ["error_code"] = error.Code }),
            _ => ApiProblems.NotFound(),
        };
    }

    public static async Task<Results<Ok<IReadOnlyList<EventView>>, ProblemHttpResult>> EventsAsync(
        Guid id, ClaimsPrincipal principal, WorkspaceQueries queries, CancellationToken cancellationToken) =>
        await queries.EventsAsync(CurrentUser.From(principal)!.TenantId!, id, principal.IsInRole(nameof(PortalRole.TenantAdmin)), cancellationToken) is { } events
            ? TypedResults.Ok(events)
            : ApiProblems.NotFound();

    public static async Task<Results<Ok<IReadOnlyList<ResourceView>>, ProblemHttpResult>> ResourcesAsync(
        Guid id, ClaimsPrincipal principal, WorkspaceQueries queries, CancellationToken cancellationToken) =>
        await queries.ResourcesAsync(CurrentUser.From(principal)!.TenantId!, id, cancellationToken) is { } resources
            ? TypedResults.Ok(resources)
            : ApiProblems.NotFound();

    public static async Task<Results<Accepted<DeleteAccepted>, ProblemHttpResult>> DeleteAsync(
        Guid id, ClaimsPrincipal principal, ProvisioningRequests requests, CancellationToken cancellationToken)
    {
        var user = CurrentUser.From(principal)!;
        var (workspace, refusal) = await requests.DeleteAsync(id, user.TenantId!, user.Actor, cancellationToken);
        return refusal switch
        {
            null => TypedResults.Accepted($"/api/v1/workspaces/{id}", new DeleteAccepted(workspace!.Id, workspace.Status)),
            DeleteRefusal.ProvisioningInProgress => ApiProblems.Problem(StatusCodes.Status409Conflict, "provisioning_in_progress",
                "The workspace is being provisioned; delete it once that ends."),
            _ => ApiProblems.NotFound(),
        };
    }

    private static WorkspaceAccepted Accepted(Workspace w) =>
        new(w.Id, w.Status, w.Name, w.ReleaseId, new SizeView(w.Cpu, w.MemoryGb), w.LatestAttempt?.Number ?? 1, w.CorrelationId, w.CreatedAt);

    private static void Add(Dictionary<string, string[]> errors, string field, string? message)
    {
        if (message is not null)
        {
            errors[field] = [message];
        }
    }
}
