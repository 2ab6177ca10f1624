using System.Net;
using System.Text;

[assembly: Xunit.AssemblyFixture(typeof(E2E.Infrastructure.EvidenceIndexFixture))]

namespace E2E.Infrastructure;

/// <summary>Rebuilds <c>artifacts/e2e/index.html</c> from the scenario folders: every screenshot and JSON file, in order.</summary>
public static class EvidenceIndex
{
    public static string Write()
    {
        var root = Path.Combine(RepositoryPaths.Artifacts, "e2e");
        Directory.CreateDirectory(root);
        var html = new StringBuilder("<!doctype html><html><head><meta charset='utf-8'><title>E2E evidence</title>")
            .Append("<style>body{font-family:sans-serif;margin:2em}img{max-width:100%;border:1px solid #ccc}pre{background:#f6f6f6;max-height:30em;overflow:auto;padding:1em}</style></head><body><h1>E2E evidence</h1>");
        foreach (var folder in Directory.GetDirectories(root).Order(StringComparer.Ordinal))
        {
            var scenario = Path.GetFileName(folder);
            if (scenario.StartsWith('_'))
            {
                continue;
            }

            html.Append("<h2 id='").Append(WebUtility.HtmlEncode(scenario)).Append("'>").Append(WebUtility.HtmlEncode(scenario)).Append("</h2>");
            foreach (var file in Directory.GetFiles(folder).Order(StringComparer.Ordinal))
            {
                var name = Path.GetFileName(file);
                var href = WebUtility.HtmlEncode($"{scenario}/{name}");
                html.Append("<h3>").Append(WebUtility.HtmlEncode(name)).Append("</h3>");
                switch (Path.GetExtension(file))
                {
                    case ".png":
                        html.Append("<a href='").Append(href).Append("'><img src='").Append(href).Append("' alt='").Append(WebUtility.HtmlEncode(name)).Append("'></a>");
                        break;
                    case ".json":
                        html.Append("<pre>").Append(WebUtility.HtmlEncode(File.ReadAllText(file))).Append("</pre>");
                        break;
                    default:
                        html.Append("<a href='").Append(href).Append("'>").Append(WebUtility.HtmlEncode(name)).Append("</a>");
                        break;
                }
            }
        }

        var path = Path.Combine(root, "index.html");
        File.WriteAllText(path, html.Append("</body></html>").ToString());
        return path;
    }
}

/// <summary>Rebuilds the evidence index once every test class of the run has finished, pass or fail.</summary>
public sealed class EvidenceIndexFixture : IAsyncDisposable
{
    public ValueTask DisposeAsync()
    {
        EvidenceIndex.Write();
        return ValueTask.CompletedTask;
    }
}
