namespace TestIdentityProvider;

/// <summary>A user who can sign in at the test identity provider with <paramref name="Email"/> and <paramref name="Password"/>.</summary>
/// <param name="Subject">The stable <c>sub</c> claim.</param>
/// <param name="Email">The sign-in name, and the <c>email</c> and <c>name</c> claims.</param>
/// <param name="Password">Compared as typed; this is a test server.</param>
/// <param name="EmailVerified">The <c>email_verified</c> claim, a JSON boolean.</param>
public sealed record TestIdentityUser(string Subject, string Email, string Password, bool EmailVerified = true)
{
    /// <summary>
    /// Extra claims put in the id_token, the access token and userinfo, e.g. <c>["tenant"] = ["initech"]</c>,
    /// <c>["portal_role"] = ["tenant_admin"]</c>. A claim with one value is a JSON string, with several a JSON array.
    /// </summary>
    public IReadOnlyDictionary<string, string[]> Claims { get; init; } = new Dictionary<string, string[]>();
}
