using System.Xml.Linq;

namespace Provisioning.Core.Infrastructure.Vsphere;

/// <summary>A vSphere managed object reference, e.g. <c>VirtualMachine:vm-42</c>.</summary>
public readonly record struct ManagedObject(string Type, string Value)
{
    public XElement ToXml(string element) => new(Vim.Ns + element, new XAttribute("type", Type), Value);

    public static ManagedObject From(XElement element) =>
        new((string?)element.Attribute("type") ?? throw new VimProtocolException($"<{element.Name.LocalName}> is not a managed object reference."), element.Value);

    public override string ToString() => $"{Type}:{Value}";
}

/// <summary>A fault vSphere answered with: its type (e.g. <c>InvalidLogin</c>) and message.</summary>
public sealed class VimFaultException(string fault, string message) : Exception($"{fault}: {message}")
{
    public string Fault { get; } = fault;

    public string FaultMessage { get; } = message;
}

/// <summary>A task that ended well, with what it returned (a clone's new VM).</summary>
public sealed record TaskEnded(XElement? Result);

/// <summary>vSphere answered something that is not the vim25 protocol as this client knows it.</summary>
public sealed class VimProtocolException(string message) : Exception(message);

/// <summary>The vim25 XML vocabulary: element and type-attribute helpers, and the reading of values and faults.</summary>
public static class Vim
{
    public static readonly XNamespace Ns = "urn:vim25";
    public static readonly XNamespace Soap = "http://schemas.xmlsoap.org/soap/envelope/";
    public static readonly XNamespace Xsi = "http://www.w3.org/2001/XMLSchema-instance";

    /// <summary>An element of the vim25 namespace (null content is left out, so optional fields can be passed as null).</summary>
    public static XElement El(string name, params object?[] content) => new(Ns + name, content.Where(c => c is not null));

    /// <summary>An element carrying its data type (<c>xsi:type</c>), as polymorphic fields need.</summary>
    public static XElement Typed(string name, string type, params object?[] content) =>
        new(Ns + name, new XAttribute(Xsi + "type", type), content.Where(c => c is not null));

    /// <summary>The data type an element declares (<c>xsi:type</c>, without a namespace prefix), or its name.</summary>
    public static string TypeOf(XElement element) =>
        (string?)element.Attribute(Xsi + "type") is { } type ? type[(type.IndexOf(':') + 1)..] : element.Name.LocalName;

    public static XElement? Child(this XElement element, string name) => element.Element(Ns + name);

    public static IEnumerable<XElement> ChildrenNamed(this XElement element, string name) => element.Elements(Ns + name);

    /// <summary>The SOAP request for <paramref name="method"/> on <paramref name="target"/> (its <c>_this</c>), arguments in schema order.</summary>
    public static XDocument Request(string method, ManagedObject target, IEnumerable<XElement> arguments) => new(
        new XElement(Soap + "Envelope",
            new XAttribute(XNamespace.Xmlns + "soapenv", Soap),
            new XAttribute(XNamespace.Xmlns + "xsi", Xsi),
            new XElement(Soap + "Body", El(method, target.ToXml("_this"), arguments))));

    /// <summary>
    /// The <c>returnval</c>s of a method's response, or the fault it answered with (<see cref="VimFaultException"/>). Throws
    /// <see cref="VimProtocolException"/> for anything else.
    /// </summary>
    public static IReadOnlyList<XElement> ReturnValues(string method, XDocument response)
    {
        var body = response.Root?.Element(Soap + "Body") ?? throw new VimProtocolException($"The answer to {method} has no SOAP body.");
        var content = body.Elements().FirstOrDefault() ?? throw new VimProtocolException($"The answer to {method} is empty.");
        if (content.Name == Soap + "Fault")
        {
            throw Fault(content);
        }

        if (content.Name != Ns + $"{method}Response")
        {
            throw new VimProtocolException($"The answer to {method} is <{content.Name.LocalName}>.");
        }

        // The property collector answers an expired session with the properties it could not read, not with a fault.
        if (content.Descendants(Ns + "missingSet").Select(m => m.Child("fault")?.Child("fault")).FirstOrDefault(f => f is not null && TypeOf(f) == "NotAuthenticated") is not null)
        {
            throw new VimFaultException("NotAuthenticated", $"The session could not read properties in {method}.");
        }

        return content.ChildrenNamed("returnval").ToList();
    }

    /// <summary>A SOAP fault: the type is the detail's data type (e.g. <c>&lt;InvalidLoginFault xsi:type="InvalidLogin"&gt;</c>).</summary>
    public static VimFaultException Fault(XElement soapFault)
    {
        var message = (string?)soapFault.Element("faultstring") ?? "";
        var detail = soapFault.Element("detail")?.Elements().FirstOrDefault();
        var type = detail is null ? "SystemError" : TypeOf(detail);
        if (type.EndsWith("Fault", StringComparison.Ordinal) && detail?.Attribute(Xsi + "type") is null)
        {
            type = type[..^"Fault".Length];
        }

        return new VimFaultException(type, message);
    }

    /// <summary>The last <c>info</c> of a task in an update set of <c>WaitForUpdatesEx</c>, or null.</summary>
    public static XElement? TaskInfo(XElement updateSet) => updateSet.ChildrenNamed("filterSet")
        .SelectMany(f => f.ChildrenNamed("objectSet"))
        .SelectMany(o => o.ChildrenNamed("changeSet"))
        .LastOrDefault(c => (string?)c.Child("name") == "info")?.Child("val");

    /// <summary>How a task ended (its result), null while it runs; a task that failed throws its fault.</summary>
    public static TaskEnded? TaskEnd(XElement taskInfo) => (string?)taskInfo.Child("state") switch
    {
        "success" => new TaskEnded(taskInfo.Child("result")),
        "error" => throw (taskInfo.Child("error") is { } error ? LocalizedFault(error) : new VimFaultException("SystemError", "The task failed without a fault.")),
        _ => null,
    };

    /// <summary>A task's or update's <c>LocalizedMethodFault</c>.</summary>
    public static VimFaultException LocalizedFault(XElement localizedMethodFault)
    {
        var fault = localizedMethodFault.Child("fault");
        var type = fault is null ? "SystemError" : TypeOf(fault);
        var message = (string?)localizedMethodFault.Child("localizedMessage") is { Length: > 0 } localized
            ? localized
            : fault?.ChildrenNamed("faultMessage").Select(m => (string?)m.Child("message")).FirstOrDefault(m => m is { Length: > 0 }) ?? type;
        return new VimFaultException(type, message);
    }
}
