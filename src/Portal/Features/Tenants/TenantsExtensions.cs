using Portal.Features.Tenants;

namespace Microsoft.Extensions.DependencyInjection;

public static class TenantsExtensions
{
    /// <summary>The platform admins' tenant directory, shared by <c>/api/v1/platform/tenants</c> and the tenants page.</summary>
    public static WebApplicationBuilder AddTenants(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<TenantDirectory>();
        return builder;
    }
}
