using System.Diagnostics;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Portal.Notifications;

/// <summary>Bad mail settings stop the real portal process with one clear line naming the setting.</summary>
public sealed class MailConfigurationTests
{
    public static TheoryData<string, string, string> BadSettings => new()
    {
        { "Mail__Smtp__Port", "0", "Mail:Smtp:Port" },
        { "Mail__Smtp__Security", "Tls", "Mail:Smtp:Security" },
        { "Mail__From", "nobody", "Mail:From" },
        { "Mail__Delivery__PollInterval", "00:00:00", "Mail:Delivery:PollInterval" },
        { "Portal__PublicBaseUrl", "portal.example.test", "Portal:PublicBaseUrl" },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public async Task BadMailSetting_StopsStartUp_WithOneMessageNamingIt(string variable, string value, string setting)
    {
        var error = await StartAndReadErrorAsync(new Dictionary<string, string> { [variable] = value });

        error.ShouldStartWith("Configuration error:");
        error.ShouldContain(setting);
    }

    [Fact]
    public async Task Credentials_AreRefused_OverAPlainTextConnection()
    {
        var error = await StartAndReadErrorAsync(new Dictionary<string, string>
        {
            ["Mail__Smtp__Host"] = "smtp.example.test",
            ["Mail__Smtp__Security"] = "None",
            ["Mail__Smtp__Username"] = "portal",
        });

        error.ShouldContain("Mail:Smtp:Security");
        error.ShouldContain("plain text");
    }

    private static async Task<string> StartAndReadErrorAsync(Dictionary<string, string> environment)
    {
        var dataDirectory = TestPaths.NewDataDirectory();
        var info = PortalBinary.StartInfo(dataDirectory, environment, "--urls", "http://127.0.0.1:0");
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

            Directory.Delete(dataDirectory, recursive: true);
        }

        process.ExitCode.ShouldBe(2);
        var error = (await stderr).Trim();
        error.Split('\n').Length.ShouldBe(1);
        (error + await stdout).ShouldNotContain("   at ");
        return error;
    }
}
