using Microsoft.AspNetCore.Identity;
using Provisioning.Core.Identity;

namespace Portal.Features.Identity;

public static class PasswordRules
{
    /// <summary>Each of Identity's password rules that <paramref name="password"/> fails for <paramref name="user"/>, as Identity words it; empty when it passes.</summary>
    public static async Task<List<string>> ProblemsAsync(this UserManager<PortalUser> users, PortalUser user, string password)
    {
        var problems = new List<string>();
        foreach (var validator in users.PasswordValidators)
        {
            var result = await validator.ValidateAsync(users, user, password);
            problems.AddRange(result.Errors.Select(e => e.Description));
        }

        return problems;
    }
}
