using System.ComponentModel.DataAnnotations;

namespace Provisioning.Core.Infrastructure.Vsphere;

/// <summary>How a VM counts as ready: its VMware Tools answer, or it is powered on (images without Tools; vcsim).</summary>
public enum VsphereReadiness
{
    Tools,
    Power,
}

/// <summary><c>Infrastructure:Vsphere:*</c>: with a <see cref="Url"/>, the built-in VM steps run on vSphere instead of the simulator.</summary>
public sealed class VsphereOptions : IValidatableObject
{
    public const string Section = "Infrastructure:Vsphere";

    /// <summary>The SDK endpoint, e.g. <c>https://vcenter.example.com/sdk</c>; empty: the simulator.</summary>
    public string? Url { get; set; }

    public string? Username { get; set; }

    public string? Password { get; set; }

    /// <summary>SHA-1 or SHA-256 fingerprint of a self-signed server certificate to trust; empty: the certificate must validate.</summary>
    public string? Thumbprint { get; set; }

    public VsphereReadiness Readiness { get; set; } = VsphereReadiness.Tools;

    /// <summary>Where clones go (an inventory path such as <c>/DC0/host/DC0_C0/Resources</c>, or a unique name); empty: the source VM's.</summary>
    public string? ResourcePool { get; set; }

    public string? Datastore { get; set; }

    public string? Folder { get; set; }

    /// <summary>The network (standard or distributed port group) the VM's adapter joins; empty: the source VM's.</summary>
    public string? Network { get; set; }

    /// <summary>How long one SOAP call may take before it counts as a connection timeout.</summary>
    [Range(typeof(TimeSpan), "00:00:05", "00:10:00", ErrorMessage = "Infrastructure:Vsphere:RequestTimeout must be between 00:00:05 and 00:10:00.")]
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How often a VM that is not ready yet is looked at again while a step waits for it.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00", ErrorMessage = "Infrastructure:Vsphere:ReadinessPollInterval must be between 00:00:01 and 00:05:00.")]
    public TimeSpan ReadinessPollInterval { get; set; } = TimeSpan.FromSeconds(5);

    public bool Enabled => !string.IsNullOrWhiteSpace(Url);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Enabled)
        {
            yield break;
        }

        if (!Uri.TryCreate(Url, UriKind.Absolute, out var url) || url.Scheme != Uri.UriSchemeHttps)
        {
            yield return new ValidationResult($"Infrastructure:Vsphere:Url '{Url}' must be an https:// address such as https://vcenter.example.com/sdk.");
        }

        if (string.IsNullOrEmpty(Username) || string.IsNullOrEmpty(Password))
        {
            yield return new ValidationResult("Infrastructure:Vsphere:Username and Infrastructure:Vsphere:Password are required with Infrastructure:Vsphere:Url.");
        }

        if (Thumbprint is { Length: > 0 } && VimClient.NormalizeThumbprint(Thumbprint).Length is not (40 or 64))
        {
            yield return new ValidationResult("Infrastructure:Vsphere:Thumbprint must be a SHA-1 (40 hex digits) or SHA-256 (64 hex digits) fingerprint.");
        }
    }
}
