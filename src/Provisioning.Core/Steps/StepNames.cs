using Provisioning.Core.Releases;

namespace Provisioning.Core.Steps;

public static class StepNames
{
    public const string FetchRelease = "fetch_release";
    public const string CreateTenantDatabase = "create_tenant_database";
    public const string CreateTenantSchema = "create_tenant_schema";
    public const string RegisterServices = "register_services";
    public const string GenerateApiKeys = "generate_api_keys";
    public const string StartRuntime = "start_runtime";
    public const string VerifyServices = "verify_services";
    public const string ValidateRequest = "validate_request";
    public const string CloneVm = "clone_vm";
    public const string ConfigureNetwork = "configure_network";
    public const string PowerOn = "power_on";
    public const string WaitForGuestTools = "wait_for_guest_tools";
}

/// <summary>The ordered steps of each template (DESIGN §3). The one declaration of the plans.</summary>
public static class ProvisioningPlans
{
    public static readonly IReadOnlyList<string> App =
    [
        StepNames.FetchRelease,
        StepNames.CreateTenantDatabase,
        StepNames.CreateTenantSchema,
        StepNames.RegisterServices,
        StepNames.GenerateApiKeys,
        StepNames.StartRuntime,
        StepNames.VerifyServices,
    ];

    public static readonly IReadOnlyList<string> Vm =
    [
        StepNames.ValidateRequest,
        StepNames.CloneVm,
        StepNames.ConfigureNetwork,
        StepNames.PowerOn,
        StepNames.WaitForGuestTools,
        StepNames.VerifyServices,
    ];

    public static IReadOnlyList<string> For(ReleaseTemplate template) => template switch
    {
        ReleaseTemplate.App => App,
        ReleaseTemplate.Vm => Vm,
        _ => throw new ArgumentOutOfRangeException(nameof(template), template, "Unknown template."),
    };

    public static IReadOnlySet<string> AllStepNames { get; } = App.Concat(Vm).ToHashSet(StringComparer.Ordinal);
}
