using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Xml.Linq;
using Microsoft.Extensions.Logging;

namespace Provisioning.Core.Infrastructure.Vsphere;

/// <summary>The managers this client uses, from the service instance's content.</summary>
public sealed record ServiceContent(
    ManagedObject RootFolder, ManagedObject PropertyCollector, ManagedObject ViewManager, ManagedObject SearchIndex, ManagedObject SessionManager);

/// <summary>
/// One vSphere session (vim25 SOAP over HTTPS) for the whole node: logs in on first use and again when the session has
/// expired (<c>NotAuthenticated</c>), trusts the server's certificate only when it validates or matches the configured
/// fingerprint. The one place that sends envelopes and reads answers (<see cref="Vim"/>); what it sends is typed by
/// the methods below.
/// </summary>
public sealed class VimClient : IDisposable
{
    // vim25 is backwards compatible: a client speaking 6.5 works with every vCenter since.
    private const string SoapAction = "urn:vim25/6.5";
    private static readonly ManagedObject ServiceInstance = new("ServiceInstance", "ServiceInstance");

    private readonly Uri _url;
    private readonly string _username;
    private readonly string _password;
    private readonly HttpClient _http;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _login = new(1, 1);
    private ServiceContent? _content;
    private int _session;

    public VimClient(Uri url, string username, string password, string? thumbprint, TimeSpan requestTimeout, ILogger logger)
    {
        _url = url;
        _username = username;
        _password = password;
        _logger = logger;
        var pinned = thumbprint is { Length: > 0 } ? NormalizeThumbprint(thumbprint) : null;
        _http = new HttpClient(new SocketsHttpHandler
        {
            UseCookies = true,
            CookieContainer = new CookieContainer(),
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                    errors == SslPolicyErrors.None || (pinned is not null && certificate is not null && Matches(certificate, pinned)),
            },
        })
        {
            Timeout = requestTimeout,
        };
    }

    public Uri Url => _url;

    /// <summary>The service content, logging in first when this node has no session yet.</summary>
    public async Task<ServiceContent> ContentAsync(CancellationToken cancellationToken)
    {
        if (_content is null)
        {
            await LoginAsync(_session, cancellationToken);
        }

        return _content!;
    }

    /// <summary>Calls <paramref name="method"/> on <paramref name="target"/>; logs in again once when the session has expired.</summary>
    public async Task<IReadOnlyList<XElement>> InvokeAsync(string method, ManagedObject target, CancellationToken cancellationToken, params XElement?[] arguments)
    {
        await ContentAsync(cancellationToken);
        var session = _session;
        try
        {
            return await SendAsync(method, target, arguments, cancellationToken);
        }
        catch (VimFaultException e) when (e.Fault == "NotAuthenticated")
        {
            _logger.LogInformation("The vSphere session at {Url} has expired; logging in again", _url);
            await LoginAsync(session, cancellationToken);
            return await SendAsync(method, target, arguments, cancellationToken);
        }
    }

    /// <summary>Properties of one object by path; a path the object does not have is left out.</summary>
    public async Task<IReadOnlyDictionary<string, XElement>> PropertiesAsync(ManagedObject obj, IEnumerable<string> paths, CancellationToken cancellationToken)
    {
        var content = await ContentAsync(cancellationToken);
        var found = await InvokeAsync("RetrievePropertiesEx", content.PropertyCollector, cancellationToken,
            Vim.El("specSet",
                Vim.El("propSet", Vim.El("type", obj.Type), Vim.El("all", "false"), paths.Select(p => Vim.El("pathSet", p))),
                Vim.El("objectSet", obj.ToXml("obj"), Vim.El("skip", "false"))),
            Vim.El("options"));
        return found.SelectMany(r => r.ChildrenNamed("objects")).Select(PropertiesOf).FirstOrDefault()
            ?? new Dictionary<string, XElement>(StringComparer.Ordinal);
    }

    /// <summary>The object at an inventory path such as <c>/DC0/vm/DC0_H0_VM0</c>, or null.</summary>
    public async Task<ManagedObject?> FindByInventoryPathAsync(string path, CancellationToken cancellationToken)
    {
        var content = await ContentAsync(cancellationToken);
        var found = await InvokeAsync("FindByInventoryPath", content.SearchIndex, cancellationToken, Vim.El("inventoryPath", path.TrimStart('/')));
        return found.Count > 0 ? ManagedObject.From(found[0]) : null;
    }

    /// <summary>Every object of <paramref name="type"/> in the inventory whose name is <paramref name="name"/>.</summary>
    public async Task<IReadOnlyList<ManagedObject>> FindByNameAsync(string type, string name, CancellationToken cancellationToken) =>
        (await InventoryAsync(type, ["name"], cancellationToken))
            .Where(o => (string?)o.Properties.GetValueOrDefault("name") == name)
            .Select(o => o.Object)
            .ToList();

    /// <summary>
    /// Every object of <paramref name="type"/> in the inventory with the properties <paramref name="paths"/>: a container
    /// view over the root folder, read page by page and destroyed after.
    /// </summary>
    public async Task<IReadOnlyList<(ManagedObject Object, IReadOnlyDictionary<string, XElement> Properties)>> InventoryAsync(
        string type, IEnumerable<string> paths, CancellationToken cancellationToken)
    {
        var content = await ContentAsync(cancellationToken);
        var view = ManagedObject.From((await InvokeAsync("CreateContainerView", content.ViewManager, cancellationToken,
            content.RootFolder.ToXml("container"), Vim.El("type", type), Vim.El("recursive", "true")))[0]);
        try
        {
            var objects = new List<(ManagedObject, IReadOnlyDictionary<string, XElement>)>();
            var page = await InvokeAsync("RetrievePropertiesEx", content.PropertyCollector, cancellationToken,
                Vim.El("specSet",
                    Vim.El("propSet", Vim.El("type", type), Vim.El("all", "false"), paths.Select(p => Vim.El("pathSet", p))),
                    Vim.El("objectSet", view.ToXml("obj"), Vim.El("skip", "true"),
                        Vim.Typed("selectSet", "TraversalSpec", Vim.El("name", "view"), Vim.El("type", "ContainerView"), Vim.El("path", "view"), Vim.El("skip", "false")))),
                Vim.El("options"));
            while (page.FirstOrDefault() is { } result)
            {
                objects.AddRange(result.ChildrenNamed("objects").Select(o => (ManagedObject.From(o.Child("obj")!), PropertiesOf(o))));
                if ((string?)result.Child("token") is not { Length: > 0 } token)
                {
                    break;
                }

                page = await InvokeAsync("ContinueRetrievePropertiesEx", content.PropertyCollector, cancellationToken, Vim.El("token", token));
            }

            return objects;
        }
        finally
        {
            await ReleaseAsync("DestroyView", view);
        }
    }

    private static IReadOnlyDictionary<string, XElement> PropertiesOf(XElement objectContent) => objectContent.ChildrenNamed("propSet")
        .ToDictionary(p => (string)p.Child("name")!, p => p.Child("val")!, StringComparer.Ordinal);

    /// <summary>
    /// Waits for a task to end, through a property collector of its own (so waits in parallel never take each other's
    /// updates); returns the task's result, or throws its fault as a <see cref="VimFaultException"/>.
    /// </summary>
    public async Task<XElement?> WaitForTaskAsync(ManagedObject task, CancellationToken cancellationToken)
    {
        for (var collectors = 1; ; collectors++)
        {
            try
            {
                return await WaitWithNewCollectorAsync(task, cancellationToken);
            }
            catch (VimFaultException e) when (e.Fault == "ManagedObjectNotFound" && collectors == 1)
            {
                // The collector belonged to a session that expired while it waited: wait again in the new session.
            }
        }
    }

    private async Task<XElement?> WaitWithNewCollectorAsync(ManagedObject task, CancellationToken cancellationToken)
    {
        var content = await ContentAsync(cancellationToken);
        var collector = ManagedObject.From((await InvokeAsync("CreatePropertyCollector", content.PropertyCollector, cancellationToken))[0]);
        try
        {
            await InvokeAsync("CreateFilter", collector, cancellationToken,
                Vim.El("spec",
                    Vim.El("propSet", Vim.El("type", "Task"), Vim.El("all", "false"), Vim.El("pathSet", "info")),
                    Vim.El("objectSet", task.ToXml("obj"), Vim.El("skip", "false"))),
                Vim.El("partialUpdates", "false"));
            var version = "";
            while (true)
            {
                // A bounded server-side wait: the step's cancellation is checked between waits as well as during them.
                var updates = await InvokeAsync("WaitForUpdatesEx", collector, cancellationToken,
                    Vim.El("version", version), Vim.El("options", Vim.El("maxWaitSeconds", "20")));
                if (updates.FirstOrDefault() is not { } set)
                {
                    continue;
                }

                version = (string?)set.Child("version") ?? version;
                if (Vim.TaskInfo(set) is { } info && Vim.TaskEnd(info) is { } end)
                {
                    return end.Result;
                }
            }
        }
        finally
        {
            await ReleaseAsync("DestroyPropertyCollector", collector);
        }
    }

    /// <summary>Starts a <c>*_Task</c> method and waits for the task it returns.</summary>
    public async Task<XElement?> RunTaskAsync(string method, ManagedObject target, CancellationToken cancellationToken, params XElement?[] arguments)
    {
        var task = ManagedObject.From((await InvokeAsync(method, target, cancellationToken, arguments))[0]);
        return await WaitForTaskAsync(task, cancellationToken);
    }

    /// <summary>Frees a session-scoped helper object; best effort, so it never hides the failure that ended its use (the session ending frees it too).</summary>
    private async Task ReleaseAsync(string method, ManagedObject helper)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await SendAsync(method, helper, [], timeout.Token);
        }
        catch (Exception e) when (e is VimFaultException or HttpRequestException or OperationCanceledException or VimProtocolException or System.Xml.XmlException)
        {
            _logger.LogDebug(e, "{Method} of {Helper} failed", method, helper);
        }
    }

    public void Dispose()
    {
        _http.Dispose();
        _login.Dispose();
    }

    private async Task LoginAsync(int expiredSession, CancellationToken cancellationToken)
    {
        await _login.WaitAsync(cancellationToken);
        try
        {
            if (_session != expiredSession && _content is not null)
            {
                return; // Another call logged in meanwhile.
            }

            var retrieved = (await SendAsync("RetrieveServiceContent", ServiceInstance, [], cancellationToken)).Single();
            var content = new ServiceContent(
                Reference(retrieved, "rootFolder"), Reference(retrieved, "propertyCollector"), Reference(retrieved, "viewManager"),
                Reference(retrieved, "searchIndex"), Reference(retrieved, "sessionManager"));
            await SendAsync("Login", content.SessionManager,
                [Vim.El("userName", _username), Vim.El("password", _password)], cancellationToken);
            _content = content;
            _session++;
            _logger.LogInformation("Logged in to vSphere at {Url} as {User}", _url, _username);
        }
        finally
        {
            _login.Release();
        }
    }

    private static ManagedObject Reference(XElement content, string name) =>
        ManagedObject.From(content.Child(name) ?? throw new VimProtocolException($"The service content has no {name}."));

    private async Task<IReadOnlyList<XElement>> SendAsync(string method, ManagedObject target, IEnumerable<XElement?> arguments, CancellationToken cancellationToken)
    {
        var envelope = Vim.Request(method, target, arguments.OfType<XElement>());
        using var request = new HttpRequestMessage(HttpMethod.Post, _url)
        {
            Content = new StringContent(envelope.ToString(SaveOptions.DisableFormatting), Encoding.UTF8, "text/xml"),
        };
        request.Headers.Add("SOAPAction", SoapAction);
        using var response = await _http.SendAsync(request, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        // Faults come with 500; anything else that is not 200 is the server (or a proxy) failing, not vSphere answering.
        if (response.StatusCode is not (HttpStatusCode.OK or HttpStatusCode.InternalServerError) || !body.TrimStart().StartsWith('<'))
        {
            throw new HttpRequestException($"vSphere answered {method} with HTTP {(int)response.StatusCode}.", null, response.StatusCode);
        }

        return Vim.ReturnValues(method, XDocument.Parse(body));
    }

    /// <summary>Hex digits only, upper case: fingerprints are written with or without colons, in either case.</summary>
    public static string NormalizeThumbprint(string thumbprint) =>
        new string(thumbprint.Where(Uri.IsHexDigit).ToArray()).ToUpperInvariant();

    private static bool Matches(X509Certificate certificate, string pinned)
    {
        var raw = certificate.GetRawCertData();
        return pinned == Convert.ToHexString(SHA256.HashData(raw)) || pinned == Convert.ToHexString(SHA1.HashData(raw));
    }
}
