using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Provisioning.Core.Errors;
using Provisioning.Core.Releases;
using Provisioning.Core.Templates;

namespace Provisioning.Core.Steps.Commands;

/// <summary>
/// Runs one command of a template step (DESIGN §11): <c>/bin/sh -c</c> in the template's folder, with a clean
/// environment — <c>PATH</c>, <c>HOME</c>, <c>LANG</c>, the variables named in <c>Provisioning:Templates:Environment</c>
/// and the <c>PORTAL_*</c> ones. Exit 0 is success and its <c>$PORTAL_OUTPUT</c> / <c>$PORTAL_SECRET_OUTPUT</c> lines
/// become outputs; exit 75 (EX_TEMPFAIL) is transient; any other exit fails with the code in <c>$PORTAL_ERROR</c>, or
/// <c>unknown</c>. When the step's token ends (its timeout, or the portal stopping) the whole process tree is killed.
/// Every line it writes goes to the step's log, secrets masked.
/// </summary>
public sealed partial class CommandRunner(IReleaseStore releases, DataDirectory dataDirectory, IOptions<TemplateOptions> options, IStepLog log)
{
    public const string Execute = "execute";
    public const string Compensate = "compensate";

    /// <summary>EX_TEMPFAIL (sysexits.h): "try again later".</summary>
    public const int TransientExitCode = 75;

    private const int TailLines = 5;

    public async Task RunAsync(string command, string folder, StepContext context, string phase)
    {
        var scratch = Directory.CreateTempSubdirectory("portal-step-");
        try
        {
            var files = new CommandFiles(scratch.FullName);
            var start = new ProcessStartInfo("/bin/sh")
            {
                ArgumentList = { "-c", command },
                WorkingDirectory = folder,
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            start.Environment.Clear();
            foreach (var (name, value) in await EnvironmentAsync(context, phase, files))
            {
                start.Environment[name] = value;
            }

            var masking = new SecretMasking(context.Outputs, files.SecretOutput);
            var tail = new Queue<string>();
            await using var writer = await log.OpenAsync(context, phase);
            using var process = Process.Start(start) ?? throw new InvalidOperationException("/bin/sh did not start.");
            process.StandardInput.Close();
            var stdout = PumpAsync(process.StandardOutput, "stdout");
            var stderr = PumpAsync(process.StandardError, "stderr");
            try
            {
                await process.WaitForExitAsync(context.CancellationToken);
            }
            catch (OperationCanceledException)
            {
                // Past its timeout or the portal stopping: nothing of the command may outlive the step.
                process.Kill(entireProcessTree: true);
                await Task.WhenAll(stdout, stderr);
                writer.Write("portal", "stopped: the step's time was up or the portal is stopping; the command's processes were killed");
                throw;
            }

            await Task.WhenAll(stdout, stderr);
            writer.Write("portal", $"exit code {process.ExitCode}");
            if (process.ExitCode == 0)
            {
                if (phase == Execute)
                {
                    ReadOutputs(files.Output, secret: false, context.Outputs);
                    ReadOutputs(files.SecretOutput, secret: true, context.Outputs);
                }

                return;
            }

            throw Failure(process.ExitCode, files.Error, masking, tail);

            async Task PumpAsync(StreamReader reader, string stream)
            {
                while (await reader.ReadLineAsync(CancellationToken.None) is { } line)
                {
                    var masked = masking.Mask(line);
                    if (stream == "stderr")
                    {
                        lock (tail)
                        {
                            tail.Enqueue(masked);
                            if (tail.Count > TailLines)
                            {
                                tail.Dequeue();
                            }
                        }
                    }

                    writer.Write(stream, masked);
                }
            }
        }
        finally
        {
            // It held the secret outputs in clear.
            scratch.Delete(recursive: true);
        }
    }

    private async Task<Dictionary<string, string>> EnvironmentAsync(StepContext context, string phase, CommandFiles files)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["PATH"] = System.Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/bin:/usr/bin:/bin",
            ["HOME"] = System.Environment.GetEnvironmentVariable("HOME") ?? "/",
            ["LANG"] = System.Environment.GetEnvironmentVariable("LANG") ?? "C.UTF-8",
        };
        foreach (var name in options.Value.Environment)
        {
            if (System.Environment.GetEnvironmentVariable(name) is { } value)
            {
                environment[name] = value;
            }
        }

        foreach (var (name, value) in StepEnvironment.Variables(context, phase, await ArtifactAsync(context)))
        {
            environment[name] = value;
        }

        environment["PORTAL_OUTPUT"] = files.Output;
        environment["PORTAL_SECRET_OUTPUT"] = files.SecretOutput;
        environment["PORTAL_ERROR"] = files.Error;
        return environment;
    }

    /// <summary>The release's artifact in the workspace's folder, fetched and verified when needed; null when the release has none.</summary>
    private async Task<string?> ArtifactAsync(StepContext context)
    {
        if (await releases.CheckAsync(context.Release, context.CancellationToken) is not null)
        {
            return null;
        }

        var path = Path.Combine(dataDirectory.WorkspaceFolder(context.WorkspaceId), "artifact", context.Release.ArtifactFileName);
        if (!File.Exists(path))
        {
            await releases.FetchAsync(context.Release, path, context.CancellationToken);
        }

        return path;
    }

    private static void ReadOutputs(string file, bool secret, StepOutputs outputs)
    {
        if (!File.Exists(file))
        {
            return;
        }

        var number = 0;
        foreach (var line in File.ReadLines(file))
        {
            number++;
            if (line.Length == 0)
            {
                continue;
            }

            var match = OutputLine().Match(line);
            if (!match.Success)
            {
                // Never the line itself: it may be a secret.
                throw new ProvisioningException(ErrorCatalogue.Unknown,
                    $"Line {number} of {(secret ? "$PORTAL_SECRET_OUTPUT" : "$PORTAL_OUTPUT")} is not key=value with a key of letters, digits, _ and - (at most 64).");
            }

            outputs.Add(match.Groups["key"].Value, match.Groups["value"].Value, secret);
        }
    }

    /// <summary>Exit 75 is transient; otherwise the catalogue code the command wrote to <c>$PORTAL_ERROR</c>, or <c>unknown</c>.</summary>
    private static ProvisioningException Failure(int exitCode, string errorFile, SecretMasking masking, Queue<string> tail)
    {
        var (code, detail) = ReadError(errorFile);
        detail = masking.Mask(detail ?? (tail.Count > 0 ? string.Join(" / ", tail) : "no output on stderr"));
        if (exitCode == TransientExitCode)
        {
            // The command said "try again later": transient, whatever code it named.
            var transient = code is not null && ErrorCatalogue.IsKnown(code) && ErrorCatalogue.Get(code).IsTransient ? code : ErrorCatalogue.ServiceUnavailable;
            return new ProvisioningException(transient, $"The command exited with 75 (try again later): {detail}");
        }

        return new ProvisioningException(code ?? ErrorCatalogue.Unknown, $"The command exited with {exitCode}: {detail}");
    }

    private static (string? Code, string? Detail) ReadError(string file)
    {
        if (!File.Exists(file) || new FileInfo(file).Length == 0)
        {
            return (null, null);
        }

        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(file));
            var root = document.RootElement;
            var code = root.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
            var detail = root.TryGetProperty("detail", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;
            return (code, detail);
        }
        catch (JsonException e)
        {
            return (null, $"$PORTAL_ERROR is not JSON like {{\"code\": \"…\", \"detail\": \"…\"}}: {e.Message}");
        }
    }

    [GeneratedRegex("^(?<key>[A-Za-z0-9_-]{1,64})=(?<value>.*)$")]
    private static partial Regex OutputLine();

    private sealed record CommandFiles(string Folder)
    {
        public string Output => Path.Combine(Folder, "output");

        public string SecretOutput => Path.Combine(Folder, "secret-output");

        public string Error => Path.Combine(Folder, "error.json");
    }

    /// <summary>
    /// Replaces every secret the step knows with <c>***</c>: the earlier steps' secret outputs, and what this command
    /// has written to <c>$PORTAL_SECRET_OUTPUT</c> so far (read again whenever the file has grown).
    /// </summary>
    private sealed class SecretMasking(StepOutputs outputs, string secretFile)
    {
        private readonly Lock _gate = new();
        private long _secretFileLength;
        // Longest first, so a secret that contains another is masked whole.
        private List<string> _secrets = outputs.Secrets.Distinct().OrderByDescending(s => s.Length).ToList();

        public string Mask(string text)
        {
            lock (_gate)
            {
                Refresh();
                foreach (var secret in _secrets)
                {
                    text = text.Replace(secret, "***", StringComparison.Ordinal);
                }

                return text;
            }
        }

        private void Refresh()
        {
            var length = File.Exists(secretFile) ? new FileInfo(secretFile).Length : 0;
            if (length == _secretFileLength)
            {
                return;
            }

            _secretFileLength = length;
            var written = File.ReadLines(secretFile)
                .Select(line => line.IndexOf('=', StringComparison.Ordinal) is var at and > 0 ? line[(at + 1)..] : "")
                .Where(value => value.Length > 0);
            _secrets = outputs.Secrets.Concat(written).Distinct().OrderByDescending(s => s.Length).ToList();
        }
    }
}
