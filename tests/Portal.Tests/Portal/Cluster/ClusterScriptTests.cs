using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Portal.Cluster;

/// <summary>
/// scripts/cluster.sh, as the README tells people to try it: a throwaway PostgreSQL, two nodes and nginx in front. The
/// address it prints serves the portal through nginx, a sign-in works across the nodes, and Ctrl-C stops everything and
/// removes its folder.
/// </summary>
public sealed partial class ClusterScriptTests
{
    [Fact]
    public async Task TheClusterScript_ServesThePortalThroughNginx_AndCtrlCStopsAndRemovesEverything()
    {
        var ct = TestContext.Current.CancellationToken;
        // Through env --default-signal=INT: a test run started in the background (bash's `cmd &`) ignores SIGINT, its
        // children inherit that, and a shell cannot trap a signal ignored at its start — Ctrl-C would do nothing.
        var info = new ProcessStartInfo("env")
        {
            ArgumentList = { "--default-signal=INT", "bash", Path.Combine(TestPaths.RepositoryRoot, "scripts", "cluster.sh"), "2" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var script = Process.Start(info)!;
        var output = new List<string>();
        var ready = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        script.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lock (output)
            {
                output.Add(e.Data);
            }

            if (ClusterAddress().Match(e.Data) is { Success: true } match)
            {
                ready.TrySetResult(new Uri(match.Groups["url"].Value));
            }
        };
        script.ErrorDataReceived += (_, e) =>
        {
            lock (output)
            {
                output.Add($"stderr: {e.Data}");
            }
        };
        script.BeginOutputReadLine();
        script.BeginErrorReadLine();
        string Output()
        {
            lock (output)
            {
                return string.Join('\n', output);
            }
        }

        try
        {
            var address = await ready.Task.WaitAsync(TimeSpan.FromSeconds(240), TimeProvider.System, ct);
            var folder = FolderOf(Output());
            Directory.Exists(folder).ShouldBeTrue(Output());

            using var http = new HttpClient { BaseAddress = address };
            using (var health = await http.GetAsync("/health", ct))
            {
                health.StatusCode.ShouldBe(HttpStatusCode.OK);
                health.Headers.GetValues("Set-Cookie").ShouldContain(c => c.StartsWith("portal_node=", StringComparison.Ordinal));
            }

            // Without the sticky cookie, requests spread over both nodes: the token of one is good on the other.
            using var login = await http.PostAsJsonAsync("/api/v1/auth/login", new { email = "member@acme.test", password = PortalApiClient.Password }, ct);
            login.StatusCode.ShouldBe(HttpStatusCode.OK);
            var token = (await login.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("access_token").GetString();
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            for (var i = 0; i < 6; i++)
            {
                using var list = await http.GetAsync("/api/v1/workspaces", ct);
                list.StatusCode.ShouldBe(HttpStatusCode.OK);
            }

            using (var page = await http.GetAsync("/signin", ct))
            {
                page.StatusCode.ShouldBe(HttpStatusCode.OK);
            }

            // Ctrl-C: the script stops the nodes, nginx and PostgreSQL and removes its folder.
            using (var interrupt = Process.Start("kill", ["-s", "INT", script.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await interrupt.WaitForExitAsync(ct);
            }

            using (var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
            {
                await script.WaitForExitAsync(stopping.Token);
            }

            Directory.Exists(folder).ShouldBeFalse(Output());
            await Should.ThrowAsync<HttpRequestException>(() => http.GetAsync("/health", ct));
        }
        finally
        {
            // The script's own trap cleans up on INT (or TERM); a test that failed before sending it must not leave it running.
            foreach (var signal in new[] { "INT", "TERM" })
            {
                if (!script.HasExited)
                {
                    Process.Start("kill", ["-s", signal, script.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])?.WaitForExit();
                    script.WaitForExit(60_000);
                }
            }
        }
    }

    private static string FolderOf(string output) =>
        Path.GetDirectoryName(NodeLog().Match(output) is { Success: true } match ? match.Groups["log"].Value : throw new InvalidOperationException(output))!;

    [GeneratedRegex(@"cluster of 2 nodes: (?<url>http://127\.0\.0\.1:\d+)")]
    private static partial Regex ClusterAddress();

    [GeneratedRegex(@"\(log: (?<log>/[^)]+/node-1\.log)\)")]
    private static partial Regex NodeLog();
}
