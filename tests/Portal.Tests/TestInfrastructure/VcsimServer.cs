using System.Diagnostics;
using System.Text.Json;
using System.Xml.Linq;
using Microsoft.Extensions.Logging.Abstractions;
using Provisioning.Core.Infrastructure.Vsphere;

namespace Portal.Tests.TestInfrastructure;

/// <summary>One VM in vcsim's inventory, as vSphere's own property collector reports it.</summary>
public sealed record VcsimVm(string Reference, string Name, string PowerState, int Cpu, long MemoryMb, bool NicConnected);

/// <summary>
/// VMware's vSphere simulator (vcsim, govmomi's <c>simulator.VPX()</c> inventory) on a free loopback port, built once by
/// scripts/vcsim.sh (which scripts/test.sh runs first). <c>PORTAL_TEST_VCSIM</c> names a binary of your own instead.
/// The process stops with its standard input, so a test run that dies leaves none behind.
/// </summary>
public sealed class VcsimServer : IAsyncDisposable
{
    public const string Username = "portal";
    public const string Password = "portal-vcsim";

    /// <summary>In vcsim's default inventory: the VM the demo release <c>ubuntu-vm@24.04</c> clones.</summary>
    public const string Source = "/DC0/vm/DC0_H0_VM0";

    private static readonly Lazy<Task<string>> Binary = new(BuildAsync);

    private readonly Process _process;

    private VcsimServer(Process process, Uri url, string sha1, string sha256)
    {
        _process = process;
        Url = url;
        Sha1 = sha1;
        Sha256 = sha256;
    }

    public Uri Url { get; }

    public string Sha1 { get; }

    public string Sha256 { get; }

    public bool HasExited => _process.HasExited;

    /// <param name="delays">Per-method delays in milliseconds, e.g. <c>CloneVM_Task=3000</c>, to catch a call in flight.</param>
    /// <param name="listen">host:port; a restarted simulator on its old port is a vCenter coming back (with a fresh inventory).</param>
    public static async Task<VcsimServer> StartAsync(string? delays = null, string listen = "127.0.0.1:0")
    {
        var start = new ProcessStartInfo(await Binary.Value)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            ArgumentList = { "-stdin", "-listen", listen, "-username", Username, "-password", Password },
        };
        if (delays is not null)
        {
            start.ArgumentList.Add("-delay");
            start.ArgumentList.Add(delays);
        }

        var process = Process.Start(start)!;
        process.ErrorDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var line = await process.StandardOutput.ReadLineAsync(deadline.Token)
            ?? throw new InvalidOperationException($"vcsim exited before listening (exit code {(process.HasExited ? process.ExitCode : -1)}).");
        var json = JsonDocument.Parse(line).RootElement;
        return new VcsimServer(process, new Uri(json.GetProperty("url").GetString()!), json.GetProperty("sha1").GetString()!, json.GetProperty("sha256").GetString()!);
    }

    /// <summary>The portal's settings for this simulator: trusted by its SHA-1 fingerprint, ready when powered on (vcsim's clones never run Tools).</summary>
    public Dictionary<string, string?> Settings(string readiness = "Power") => new()
    {
        ["Infrastructure:Vsphere:Url"] = Url.ToString(),
        ["Infrastructure:Vsphere:Username"] = Username,
        ["Infrastructure:Vsphere:Password"] = Password,
        ["Infrastructure:Vsphere:Thumbprint"] = Sha1,
        ["Infrastructure:Vsphere:Readiness"] = readiness,
    };

    /// <summary>A session of the test's own, to look at the inventory through vSphere's API.</summary>
    public VimClient NewClient() => new(Url, Username, Password, Sha256, TimeSpan.FromSeconds(30), NullLogger.Instance);

    /// <summary>Every VM whose name starts with <paramref name="prefix"/>, read with a container view and the property collector.</summary>
    public async Task<IReadOnlyList<VcsimVm>> VmsAsync(string prefix = "ws-")
    {
        using var client = NewClient();
        var vms = await client.InventoryAsync("VirtualMachine",
            ["name", "runtime.powerState", "config.hardware.numCPU", "config.hardware.memoryMB", "config.hardware.device"], CancellationToken.None);
        return vms.Select(vm =>
        {
            var properties = vm.Properties;
            var nic = properties["config.hardware.device"].Elements().FirstOrDefault(d => Vim.TypeOf(d).StartsWith("VirtualVmxnet", StringComparison.Ordinal) || Vim.TypeOf(d).StartsWith("VirtualE1000", StringComparison.Ordinal));
            return new VcsimVm(vm.Object.Value, (string)properties["name"], (string)properties["runtime.powerState"],
                (int)properties["config.hardware.numCPU"], (long)properties["config.hardware.memoryMB"],
                (string?)nic?.Child("connectable")?.Child("startConnected") == "true");
        }).Where(vm => vm.Name.StartsWith(prefix, StringComparison.Ordinal)).ToList();
    }

    /// <summary>Kills the simulator (SIGKILL): vCenter gone mid-call.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
        }

        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _process.WaitForExitAsync(deadline.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }

    private static async Task<string> BuildAsync()
    {
        if (Environment.GetEnvironmentVariable("PORTAL_TEST_VCSIM") is { Length: > 0 } own)
        {
            return own;
        }

        var build = Process.Start(new ProcessStartInfo("bash")
        {
            ArgumentList = { Path.Combine(TestPaths.RepositoryRoot, "scripts", "vcsim.sh"), "--build" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var error = build.StandardError.ReadToEndAsync();
        var output = await build.StandardOutput.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        await build.WaitForExitAsync(deadline.Token);
        return build.ExitCode == 0
            ? output.Trim().Split('\n')[^1]
            : throw new InvalidOperationException($"scripts/vcsim.sh --build failed ({build.ExitCode}): {await error}");
    }
}
