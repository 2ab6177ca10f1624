using System.Text.Json;
using System.Text.Json.Serialization;
using Portal.Api;
using Scalar.AspNetCore;

namespace Microsoft.Extensions.DependencyInjection;

public static class PortalApiExtensions
{
    /// <summary>
    /// The REST API's conventions: snake_case JSON (enums too), problem details with a <c>code</c> on every
    /// error, and the OpenAPI document generated from the endpoints.
    /// </summary>
    public static WebApplicationBuilder AddPortalApi(this WebApplicationBuilder builder)
    {
        builder.Services.ConfigureHttpJsonOptions(options =>
        {
            options.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            options.SerializerOptions.DictionaryKeyPolicy = JsonNamingPolicy.SnakeCaseLower;
            options.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower));
            // A field the endpoint does not take is refused, not ignored: `{"cpu": 4}` where `size.cpu` was meant
            // would otherwise create a workspace of the default size without a word.
            options.SerializerOptions.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        });
        builder.Services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            context.ProblemDetails.Extensions.TryAdd("code", ApiProblems.DefaultCode(context.ProblemDetails.Status));
            context.ProblemDetails.Extensions.TryAdd("trace_id", context.HttpContext.TraceIdentifier);
        });
        // Unreadable requests throw in every environment, so one handler can say what is wrong with them.
        builder.Services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        builder.Services.AddExceptionHandler<UnreadableRequests>();
        builder.Services.AddExceptionHandler<ShuttingDown>();
        builder.Services.AddExceptionHandler<ConcurrentChange>();
        builder.Services.AddOpenApi();
        return builder;
    }

    /// <summary>Errors under <c>/api</c> become problem details; everything else keeps the portal's error pages.</summary>
    public static WebApplication UsePortalErrorHandling(this WebApplication app)
    {
        // The UI handlers stay on the main branch: a re-executed /not-found must find its endpoint.
        if (!app.Environment.IsDevelopment())
        {
            app.UseExceptionHandler("/Error", createScopeForErrors: true);
        }

        app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);

        // Inner handlers answer /api first; the outer ones leave responses that already have a body alone.
        app.UseWhen(IsApi, api =>
        {
            api.UseExceptionHandler();
            api.UseStatusCodePages();
        });
        return app;
    }

    public static WebApplication MapPortalOpenApi(this WebApplication app)
    {
        app.MapOpenApi("/openapi/{documentName}.json");
        if (app.Environment.IsDevelopment())
        {
            app.MapScalarApiReference("/openapi/reference", options => options.WithOpenApiRoutePattern("/openapi/{documentName}.json"));
        }

        return app;
    }

    private static bool IsApi(HttpContext context) => context.Request.Path.StartsWithSegments("/api");
}
