namespace Provisioning.Core.Steps;

/// <summary>The built-in steps' names: what templates use them by (<c>uses: builtin/fetch_release</c>).</summary>
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

    /// <summary>Every built-in step, in the order the built-in templates run them (app's, then vm's).</summary>
    public static readonly IReadOnlyList<string> BuiltIn =
    [
        FetchRelease, CreateTenantDatabase, CreateTenantSchema, RegisterServices, GenerateApiKeys, StartRuntime, VerifyServices,
        ValidateRequest, CloneVm, ConfigureNetwork, PowerOn, WaitForGuestTools,
    ];
}
