using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace TestIdentityProvider;

/// <summary>
/// What one running provider knows and counts: its client, the client's URIs, its users, the codes already redeemed
/// and the tokens issued. Written by the test while the server reads it, hence the concurrent collections.
/// </summary>
internal sealed class IdentityProviderState
{
    private readonly ConcurrentDictionary<string, byte> _redirectUris = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _postLogoutRedirectUris = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TestIdentityUser> _usersByEmail = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, byte> _redeemedCodes = new(StringComparer.Ordinal);
    private readonly byte[] _clientSecret;
    private int _tokensIssued;

    public IdentityProviderState(TestIdentityProviderOptions options)
    {
        ArgumentException.ThrowIfNullOrEmpty(options.ClientId);
        ArgumentException.ThrowIfNullOrEmpty(options.ClientSecret);
        ClientId = options.ClientId;
        _clientSecret = Encoding.UTF8.GetBytes(options.ClientSecret);
        options.RedirectUris.ForEach(AddRedirectUri);
        options.PostLogoutRedirectUris.ForEach(AddPostLogoutRedirectUri);
        options.Users.ForEach(AddUser);
    }

    public string ClientId { get; }

    public int TokensIssued => Volatile.Read(ref _tokensIssued);

    public bool IsClient(string? clientId, string? clientSecret) =>
        string.Equals(clientId, ClientId, StringComparison.Ordinal)
        && clientSecret is not null
        && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(clientSecret), _clientSecret);

    public void AddRedirectUri(Uri redirectUri) => _redirectUris[Absolute(redirectUri)] = 0;

    public void AddPostLogoutRedirectUri(Uri postLogoutRedirectUri) => _postLogoutRedirectUris[Absolute(postLogoutRedirectUri)] = 0;

    // Exact match after URI normalisation (so http://host:1 and http://host:1/ are one), as OAuth asks.
    public bool IsRedirectUri(string? uri) => Normalize(uri) is { } key && _redirectUris.ContainsKey(key);

    public bool IsPostLogoutRedirectUri(string? uri) => Normalize(uri) is { } key && _postLogoutRedirectUris.ContainsKey(key);

    public void AddUser(TestIdentityUser user)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentException.ThrowIfNullOrEmpty(user.Subject);
        ArgumentException.ThrowIfNullOrEmpty(user.Email);
        _usersByEmail[user.Email] = user;
    }

    public TestIdentityUser? FindByCredentials(string? email, string? password) =>
        email is not null && password is not null
        && _usersByEmail.TryGetValue(email.Trim(), out var user)
        && string.Equals(user.Password, password, StringComparison.Ordinal)
            ? user
            : null;

    public TestIdentityUser? FindBySubject(string? subject) =>
        subject is null ? null : _usersByEmail.Values.FirstOrDefault(user => user.Subject == subject);

    // OpenIddict's degraded mode keeps no token entries, so it cannot tell a replayed code on its own.
    public bool TryRedeemCode(string code) =>
        _redeemedCodes.TryAdd(Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(code))), 0);

    public void CountTokenResponse() => Interlocked.Increment(ref _tokensIssued);

    private static string Absolute(Uri uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        return uri.IsAbsoluteUri ? uri.AbsoluteUri : throw new ArgumentException($"The URI must be absolute: '{uri}'.", nameof(uri));
    }

    private static string? Normalize(string? uri) =>
        Uri.TryCreate(uri, UriKind.Absolute, out var parsed) ? parsed.AbsoluteUri : null;
}
