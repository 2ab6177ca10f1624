using Provisioning.Core.Errors;

namespace Provisioning.Core.Steps.Vm;

/// <summary>Checks the request against what a VM can be before anything is created.</summary>
public sealed class ValidateRequestStep : IProvisioningStep
{
    public const int MaxCpu = 64;
    public const int MaxMemoryGb = 512;

    public string Name => StepNames.ValidateRequest;

    public ResourcePolicy OnFailure => ResourcePolicy.Release;

    public Task ExecuteAsync(StepContext context)
    {
        if (context.Cpu is < 1 or > MaxCpu || context.MemoryGb is < 1 or > MaxMemoryGb)
        {
            throw new ProvisioningException(ErrorCatalogue.VmConfigInvalid,
                $"VmConfigFault: {context.Cpu} CPU / {context.MemoryGb} GB is outside 1–{MaxCpu} CPU / 1–{MaxMemoryGb} GB.");
        }

        return Task.CompletedTask;
    }

    public Task CompensateAsync(StepContext context) => Task.CompletedTask;
}
