using System.ComponentModel.DataAnnotations;

namespace Provisioning.Core.Simulator;

/// <summary><c>Simulator:*</c> settings.</summary>
public sealed class SimulatorOptions : IValidatableObject
{
    public const string Section = "Simulator";

    public CapacitySettings Capacity { get; set; } = new();

    /// <summary>How long a started runtime or VM takes to become ready.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00", ErrorMessage = "Simulator:ReadinessDelay must be between 00:00:00 and 01:00:00.")]
    public TimeSpan ReadinessDelay { get; set; } = TimeSpan.FromSeconds(2);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        // Data annotations do not descend into nested settings by themselves.
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(Capacity, new ValidationContext(Capacity), results, validateAllProperties: true);
        return results;
    }

    public sealed class CapacitySettings
    {
        [Range(1, 100_000, ErrorMessage = "Simulator:Capacity:Cpu must be between 1 and 100000.")]
        public int Cpu { get; set; } = 64;

        [Range(1, 1_000_000, ErrorMessage = "Simulator:Capacity:MemoryGb must be between 1 and 1000000.")]
        public int MemoryGb { get; set; } = 256;
    }
}
