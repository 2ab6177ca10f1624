namespace TestIdentityProvider;

/// <summary>What the test identity provider knows when it starts: its one client, that client's URIs, and its users.</summary>
public sealed class TestIdentityProviderOptions
{
    /// <summary>The confidential client's <c>client_id</c>.</summary>
    public string ClientId { get; set; } = "portal";

    /// <summary>The confidential client's secret (client_secret_post or client_secret_basic).</summary>
    public string ClientSecret { get; set; } = "portal-test-secret";

    /// <summary>The client's callbacks (the portal's <c>/signin-oidc</c>); more can be added while running.</summary>
    public List<Uri> RedirectUris { get; } = [];

    /// <summary>Where end-session may send the browser back to (the portal's <c>/signout-callback-oidc</c>).</summary>
    public List<Uri> PostLogoutRedirectUris { get; } = [];

    /// <summary>Who can sign in; more can be added while running.</summary>
    public List<TestIdentityUser> Users { get; } = [];

    /// <summary>The port on 127.0.0.1; 0 picks a free one.</summary>
    public int Port { get; set; }
}
