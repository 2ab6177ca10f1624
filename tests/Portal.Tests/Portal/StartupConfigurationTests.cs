using System.Diagnostics;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Portal;

/// <summary>Bad configuration stops the real portal process with one clear line naming the setting.</summary>
public sealed class StartupConfigurationTests
{
    public static TheoryData<string, string, string> BadSettings => new()
    {
        { "Database__Provider", "Oracle", "Database:Provider" },
        { "Provisioning__Retry__BaseDelay", "ten seconds", "Provisioning:Retry:BaseDelay" },
        { "Provisioning__Retry__MaxAttempts", "0", "Provisioning:Retry:MaxAttempts" },
        { "Provisioning__ReadinessTimeout", "-00:00:01", "Provisioning:ReadinessTimeout" },
        { "Simulator__Capacity__Cpu", "0", "Simulator:Capacity:Cpu" },
        { "Portal__DataDirectory", "/etc/hostname/data", "Portal:DataDirectory" },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public async Task BadSetting_StopsStartUp_WithOneMessageNamingIt(string variable, string value, string setting)
    {
        var dataDirectory = TestPaths.NewDataDirectory();
        var info = PortalBinary.StartInfo(dataDirectory, new Dictionary<string, string> { [variable] = value }, "--urls", "http://127.0.0.1:0");
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        process.ExitCode.ShouldBe(2);
        var error = (await stderr).Trim();
        error.ShouldStartWith("Configuration error:");
        error.ShouldContain(setting);
        error.Split('\n').Length.ShouldBe(1);
        (error + await stdout).ShouldNotContain("   at ");
    }
}
