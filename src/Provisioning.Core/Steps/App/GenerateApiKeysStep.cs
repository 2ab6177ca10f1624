using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Provisioning.Core.Simulator;

namespace Provisioning.Core.Steps.App;

/// <summary>
/// Issues the workspace's API keys. The gateway that owns them holds them encrypted; they never touch the
/// workspace record, events or logs. Re-running finds the keys already issued.
/// </summary>
public sealed class GenerateApiKeysStep(SimulatedInfrastructure infrastructure, IDataProtectionProvider dataProtection) : IProvisioningStep
{
    private static readonly string[] Keys = ["anon", "service"];
    private readonly IDataProtector _protector = dataProtection.CreateProtector("Provisioning.ApiKeys.v1");

    public string Name => StepNames.GenerateApiKeys;

    public ResourcePolicy OnFailure => ResourcePolicy.Release;

    public IReadOnlyList<PlannedResource> Resources(StepContext context) =>
        [.. Keys.Select(key => new PlannedResource("api_key", context.ResourceName($"key-{key}")))];

    public async Task ExecuteAsync(StepContext context)
    {
        foreach (var key in Keys)
        {
            var name = context.ResourceName($"key-{key}");
            var resource = await infrastructure.CreateAsync(context.WorkspaceId, name, "api_key", 0, 0, context.CancellationToken);
            if (resource.ProtectedSecret is null)
            {
                var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
                await infrastructure.HoldSecretAsync(name, _protector.Protect(secret), context.CancellationToken);
            }
        }
    }

    public async Task CompensateAsync(StepContext context)
    {
        foreach (var key in Keys)
        {
            await infrastructure.DeleteAsync(context.ResourceName($"key-{key}"), context.CancellationToken);
        }
    }
}
