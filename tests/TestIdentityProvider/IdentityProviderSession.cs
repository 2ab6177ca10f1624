namespace TestIdentityProvider;

/// <summary>The provider's own cookie session: who signed in at the provider, independent of any client.</summary>
internal static class IdentityProviderSession
{
    public const string Scheme = "TestIdp.Session";

    // Browsers share cookies between ports of one host, and the portal runs on 127.0.0.1 too: keep the names apart.
    public const string CookieName = "TestIdp.Session";
}
