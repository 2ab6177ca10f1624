using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Provisioning.Core.Infrastructure;

namespace Provisioning.Core.Steps.App;

/// <summary>
/// Issues the workspace's API keys. The gateway that owns them holds them encrypted; they never touch the
/// workspace record, events or logs. Re-running finds the keys already issued.
/// </summary>
public sealed class GenerateApiKeysStep(IServiceRegistry registry, IDataProtectionProvider dataProtection) : IProvisioningStep
{
    private static readonly string[] Keys = ["anon", "service"];
    private readonly IDataProtector _protector = dataProtection.CreateProtector("Provisioning.ApiKeys.v1");

    public string Name => StepNames.GenerateApiKeys;

    public ResourcePolicy OnFailure => ResourcePolicy.Release;

    public IReadOnlyList<IInfrastructurePort> Infrastructure => [registry];

    public IReadOnlyList<PlannedResource> Resources(StepContext context) =>
        [.. Keys.Select(key => new PlannedResource("api_key", context.ResourceName($"key-{key}")))];

    public async Task ExecuteAsync(StepContext context)
    {
        foreach (var key in Keys)
        {
            // A key issued before (a re-run, a retry) keeps its secret: a new one is made only the first time.
            await registry.IssueApiKeyAsync(context.WorkspaceId, context.ResourceName($"key-{key}"),
                () => _protector.Protect(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))), context.CancellationToken);
        }
    }

    public async Task CompensateAsync(StepContext context)
    {
        foreach (var key in Keys)
        {
            await registry.RevokeApiKeyAsync(context.ResourceName($"key-{key}"), context.CancellationToken);
        }
    }
}
