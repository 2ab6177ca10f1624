using System.Collections.Concurrent;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.Playwright;

namespace E2E.Infrastructure;

/// <summary>
/// Screenshots and JSON a scenario leaves behind for a person to look at:
/// <c>artifacts/e2e/&lt;scenario&gt;/NN-name.png|json</c>, numbered in the order they were taken.
/// </summary>
/// <remarks>One instance per scenario folder per test run, so the tests of a class share the numbering and the folder is emptied once.</remarks>
public sealed class Evidence
{
    private static readonly ConcurrentDictionary<string, Evidence> Scenarios = new(StringComparer.Ordinal);
    // Files for people to read, never embedded in a page: keep "+01:00" and "é" as they are rather than \u002B escapes.
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private int _sequence;

    private Evidence(string scenario)
    {
        Folder = Path.Combine(RepositoryPaths.Artifacts, "e2e", scenario);
        if (Directory.Exists(Folder))
        {
            Directory.Delete(Folder, recursive: true);
        }

        Directory.CreateDirectory(Folder);
    }

    public string Folder { get; }

    public static Evidence For(string scenario) => Scenarios.GetOrAdd(scenario, name => new Evidence(name));

    /// <summary>Saves a full-page screenshot and returns its path.</summary>
    public async Task<string> ScreenshotAsync(IPage page, string name)
    {
        var path = NextPath(name, "png");
        // Finished animations make screenshots repeatable (a dialog fading in is captured as it ends up).
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true, Animations = ScreenshotAnimations.Disabled });
        return path;
    }

    /// <summary>Saves <paramref name="value"/> as indented JSON and returns its path.</summary>
    public async Task<string> WriteJsonAsync(string name, object value)
    {
        var path = NextPath(name, "json");
        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(value, JsonOptions));
        return path;
    }

    private string NextPath(string name, string extension) =>
        Path.Combine(Folder, $"{Interlocked.Increment(ref _sequence):00}-{name}.{extension}");
}
