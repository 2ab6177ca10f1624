namespace Provisioning.Core.Steps;

/// <summary>A step's output value; a secret one is encrypted at rest and never shown.</summary>
public sealed record OutputValue(string Value, bool Secret);

/// <summary>
/// The outputs of a workspace's earlier steps (secret ones decrypted, in memory only), and what the running step
/// produces; the engine saves the latter with the step's success, in the same commit (DESIGN §11).
/// </summary>
public sealed class StepOutputs(IReadOnlyDictionary<string, OutputValue> earlier)
{
    private readonly Dictionary<string, OutputValue> _produced = new(StringComparer.Ordinal);

    public static StepOutputs None { get; } = new(new Dictionary<string, OutputValue>());

    public IReadOnlyDictionary<string, OutputValue> Earlier => earlier;

    public IReadOnlyDictionary<string, OutputValue> Produced => _produced;

    /// <summary>Every secret value known to this step, earlier and produced: what logs must mask.</summary>
    public IEnumerable<string> Secrets =>
        earlier.Values.Concat(_produced.Values).Where(v => v.Secret && v.Value.Length > 0).Select(v => v.Value);

    /// <summary><paramref name="text"/> with every secret this step knows replaced by <c>***</c>, the longest first.</summary>
    public string Mask(string text) =>
        Secrets.Distinct().OrderByDescending(s => s.Length).Aggregate(text, (masked, secret) => masked.Replace(secret, "***", StringComparison.Ordinal));

    public void Add(string key, string value, bool secret) => _produced[key] = new OutputValue(value, secret);

    /// <summary>A fresh collector for one try, seeing the same earlier outputs: a failed try's outputs count for nothing.</summary>
    public StepOutputs ForTry() => new(earlier);

    // Records print their members; this one must never print a secret.
    public override string ToString() => $"{earlier.Count} earlier outputs, {_produced.Count} produced";
}
