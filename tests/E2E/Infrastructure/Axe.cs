using System.Text.Json;
using Microsoft.Playwright;

namespace E2E.Infrastructure;

/// <summary>One rule an axe-core run found broken on a page, with the elements that break it.</summary>
public sealed record AxeViolation(string Page, string Rule, string Impact, string Help, IReadOnlyList<string> Targets)
{
    public override string ToString() => $"{Page}: {Rule} ({Impact}) {Help} — {string.Join(", ", Targets.Take(5))}{(Targets.Count > 5 ? $" (+{Targets.Count - 5})" : "")}";
}

/// <summary>
/// axe-core (npm, tools/node: scripts/test.sh installs it) run inside a page against WCAG 2.0 and 2.1, levels A and AA.
/// Its script is evaluated through Playwright, as DevTools would run it, so the portal's Content-Security-Policy stays as
/// strict for this as for everyone.
/// </summary>
public static class Axe
{
    private static readonly Lazy<string> Script = new(() =>
    {
        var path = Path.Combine(RepositoryPaths.Root, "tools", "node", "node_modules", "axe-core", "axe.min.js");
        return File.Exists(path)
            ? File.ReadAllText(path)
            : throw new InvalidOperationException($"axe-core is missing at {path}: run scripts/test.sh (or npm ci --prefix tools/node).");
    });

    /// <summary>The serious and critical violations on the page as it is now (a dialog that is open included).</summary>
    public static async Task<IReadOnlyList<AxeViolation>> SeriousViolationsAsync(IPage page, string name)
    {
        if (!await page.EvaluateAsync<bool>("() => typeof window.axe !== 'undefined'"))
        {
            await page.EvaluateAsync(Script.Value);
        }

        var result = await page.EvaluateAsync<JsonElement>(
            """
            async () => {
                const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
                return result.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map(n => {
                    // Contrast findings carry the colours axe measured: the fix is then plain to see.
                    const data = (n.any[0] || {}).data || {};
                    return n.target.join(' ') + (data.fgColor ? ` (${data.fgColor} on ${data.bgColor}: ${data.contrastRatio}:1)` : '');
                }) }));
            }
            """);
        return result.EnumerateArray()
            .Select(v => new AxeViolation(name, v.GetProperty("id").GetString()!, v.GetProperty("impact").GetString() ?? "",
                v.GetProperty("help").GetString()!, v.GetProperty("targets").EnumerateArray().Select(t => t.GetString()!).ToList()))
            .Where(v => v.Impact is "serious" or "critical")
            .ToList();
    }
}
