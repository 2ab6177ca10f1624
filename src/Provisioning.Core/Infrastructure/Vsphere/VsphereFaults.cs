using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Xml;
using Provisioning.Core.Errors;

namespace Provisioning.Core.Infrastructure.Vsphere;

/// <summary>
/// vSphere's faults and transport failures in the catalogue's codes (seed 003's table; docs/decisions/ADR-011). The
/// technical detail keeps the fault's name and message for the admin email and the timeline.
/// </summary>
public static class VsphereFaults
{
    private static readonly HashSet<string> Authentication = ["InvalidLogin", "NotAuthenticated", "NoPermission", "NoClientCertificate"];

    private static readonly HashSet<string> Datastore =
        ["InvalidDatastorePath", "InvalidDatastore", "InaccessibleDatastore", "DatastoreNotWritableOnHost", "NoDiskSpace"];

    // VmConfigFault and the subclasses a clone or reconfigure answers with.
    private static readonly HashSet<string> VmConfig =
    [
        "VmConfigFault", "InvalidVmConfig", "InvalidDeviceSpec", "InvalidDeviceBacking", "InvalidDeviceOperation", "InvalidController",
        "MissingController", "DeviceNotSupported", "DeviceUnsupportedForVmVersion", "MemorySizeNotSupported", "MemorySizeNotRecommended",
        "NumVirtualCpusNotSupported", "NumVirtualCpusIncompatible", "CpuHotPlugNotSupported", "InvalidPowerState",
    ];

    // The host or vCenter is momentarily unable to act: worth the automatic retries.
    private static readonly HashSet<string> Busy = ["HostCommunication", "HostNotConnected", "HostNotReachable", "TaskInProgress", "ResourceInUse"];

    /// <summary>
    /// The catalogue error for a failure of a vSphere call. <paramref name="otherFaults"/> is the code for faults the
    /// table does not name (<c>network_config_failed</c> while connecting the network; <c>unknown</c> elsewhere).
    /// </summary>
    public static ProvisioningException Translate(Exception failure, string otherFaults = ErrorCatalogue.Unknown) => failure switch
    {
        ProvisioningException known => known,
        VimFaultException fault => new ProvisioningException(CodeOf(fault.Fault, otherFaults), fault.Message, fault),
        HttpRequestException { InnerException: AuthenticationException } http => new ProvisioningException(ErrorCatalogue.ConnectionFailed,
            $"CertificateNotTrusted: {http.Message} Set Infrastructure:Vsphere:Thumbprint to trust a self-signed certificate.", http),
        HttpRequestException { StatusCode: HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden } http =>
            new ProvisioningException(ErrorCatalogue.ConnectionFailed, $"NotAuthenticated: {http.Message}", http),
        HttpRequestException { StatusCode: >= HttpStatusCode.InternalServerError } http =>
            new ProvisioningException(ErrorCatalogue.ServiceUnavailable, $"ServiceUnavailable: {http.Message}", http),
        // Refused, reset, unreachable: the connection did not hold; as transient as a timeout.
        HttpRequestException { InnerException: SocketException or IOException } http =>
            new ProvisioningException(ErrorCatalogue.ConnectionTimeout, $"ConnectionError: {http.Message}", http),
        HttpRequestException http => new ProvisioningException(ErrorCatalogue.ConnectionTimeout, $"ConnectionError: {http.Message}", http),
        TaskCanceledException or TimeoutException => new ProvisioningException(ErrorCatalogue.ConnectionTimeout,
            "SocketTimeout: vSphere did not answer within Infrastructure:Vsphere:RequestTimeout.", failure),
        VimProtocolException or XmlException => new ProvisioningException(ErrorCatalogue.Unknown, $"ProtocolError: {failure.Message}", failure),
        _ => new ProvisioningException(ErrorCatalogue.Unknown, $"{failure.GetType().Name}: {failure.Message}", failure),
    };

    public static string CodeOf(string fault, string otherFaults = ErrorCatalogue.Unknown) => fault switch
    {
        _ when Authentication.Contains(fault) => ErrorCatalogue.ConnectionFailed,
        // InsufficientResourcesFault and its subclasses (InsufficientCpuResourcesFault, InsufficientHostCapacityFault, …).
        _ when fault.StartsWith("Insufficient", StringComparison.Ordinal) => ErrorCatalogue.InsufficientResources,
        _ when Datastore.Contains(fault) => ErrorCatalogue.DatastoreNotAvailable,
        _ when Busy.Contains(fault) => ErrorCatalogue.ServiceUnavailable,
        _ when VmConfig.Contains(fault) && otherFaults == ErrorCatalogue.Unknown => ErrorCatalogue.VmConfigInvalid,
        "NetworkConfigFailed" or "InvalidNetwork" => ErrorCatalogue.NetworkConfigFailed,
        _ => otherFaults,
    };
}
