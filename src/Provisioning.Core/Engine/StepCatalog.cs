using System.Collections.Frozen;
using Provisioning.Core.Steps;

namespace Provisioning.Core.Engine;

/// <summary>The step implementations by plan name.</summary>
public sealed class StepCatalog
{
    private readonly FrozenDictionary<string, IProvisioningStep> _steps;

    public StepCatalog(IEnumerable<IProvisioningStep> steps)
    {
        _steps = steps.ToFrozenDictionary(s => s.Name, StringComparer.Ordinal);
        var missing = ProvisioningPlans.AllStepNames.Where(n => !_steps.ContainsKey(n)).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidOperationException($"No implementation for plan steps: {string.Join(", ", missing)}.");
        }
    }

    public IProvisioningStep this[string name] => _steps[name];
}
