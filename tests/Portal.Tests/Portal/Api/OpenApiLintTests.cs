using System.Diagnostics;
using System.Text.Json;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Portal.Api;

/// <summary>
/// Issue 18: the published OpenAPI document passes Spectral's <c>spectral:oas</c> ruleset with no error. Spectral runs
/// as the real command-line tool (npm, tools/node, installed by scripts/test.sh).
/// </summary>
public sealed class OpenApiLintTests(PortalApiFactory portal) : IClassFixture<PortalApiFactory>
{
    private static readonly string Tool = Path.Combine(TestPaths.RepositoryRoot, "tools", "node");

    [Fact]
    public async Task TheOpenApiDocument_HasNoSpectralErrors()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var spectral = Path.Combine(Tool, "node_modules", ".bin", "spectral");
        File.Exists(spectral).ShouldBeTrue($"Spectral is not installed: run scripts/test.sh, or npm ci --prefix {Tool}.");
        using var client = portal.Anonymous();
        var document = Path.Combine(portal.DataDirectory, "openapi.json");
        await File.WriteAllTextAsync(document, await client.GetStringAsync("/openapi/v1.json", cancellationToken), cancellationToken);

        var start = new ProcessStartInfo(spectral)
        {
            ArgumentList = { "lint", document, "--ruleset", Path.Combine(Tool, ".spectral.yaml"), "--format", "json", "--quiet" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Tool,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);

        var results = JsonDocument.Parse(await output is { Length: > 0 } json ? json : "[]").RootElement.EnumerateArray().ToList();
        var failing = results.Where(r => r.GetProperty("severity").GetInt32() == 0)
            .Select(r => $"{r.GetProperty("code").GetString()}: {r.GetProperty("message").GetString()} at {string.Join('.', r.GetProperty("path").EnumerateArray())}")
            .ToList();
        failing.ShouldBeEmpty(string.Join(Environment.NewLine, failing));
        (process.ExitCode, await errors).ShouldBe((0, ""), "Spectral ran and found nothing at error severity");
    }
}
