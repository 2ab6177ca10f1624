using System.Text.Json;
using System.Text.Json.Serialization;

namespace Provisioning.Core.Releases;

/// <summary>
/// What a release artifact describes: the tenant schema to apply and how its runtime behaves.
/// Artifacts are JSON documents (see <c>src/Portal/DemoData/releases</c>).
/// </summary>
public sealed record ReleaseManifest(
    [property: JsonPropertyName("schema")] IReadOnlyList<string> Schema,
    [property: JsonPropertyName("services")] IReadOnlyList<string> Services,
    [property: JsonPropertyName("becomes_ready")] bool BecomesReady = true)
{
    public static ReleaseManifest Parse(Stream json) =>
        JsonSerializer.Deserialize<ReleaseManifest>(json)
        ?? throw new InvalidDataException("The release manifest is empty.");
}
