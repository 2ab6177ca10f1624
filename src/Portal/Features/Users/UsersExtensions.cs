using Portal.Features.Users;

namespace Microsoft.Extensions.DependencyInjection;

public static class UsersExtensions
{
    /// <summary>The admins' user directory, shared by <c>/api/v1/admin/users</c> and the users page.</summary>
    public static WebApplicationBuilder AddUsers(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<UserDirectory>();
        return builder;
    }
}
