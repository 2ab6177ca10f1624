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
        });
        builder.Services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            context.ProblemDetails.Extensions.TryAdd("code", ApiProblems.DefaultCode(context.ProblemDetails.Status));
            context.ProblemDetails.Extensions.TryAdd("trace_id", context.HttpContext.TraceIdentifier);
        });
        // Development's default throws on unreadable requests (a 500 through the exception handler); answer 400.
        builder.Services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = false);
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
