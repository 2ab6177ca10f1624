using Portal.Features.Invitations;

namespace Microsoft.Extensions.DependencyInjection;

public static class InvitationsExtensions
{
    /// <summary>Invitations for <c>/api/v1/admin/invitations</c>, the users page, the accept page and single sign-on.</summary>
    public static WebApplicationBuilder AddInvitations(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<InvitationOptions>().BindConfiguration(InvitationOptions.Section).ValidateDataAnnotations();
        builder.Services.AddSingleton<InvitationDirectory>();
        return builder;
    }
}
