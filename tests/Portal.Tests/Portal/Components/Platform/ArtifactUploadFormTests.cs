using Bunit;
using Microsoft.AspNetCore.Components.Forms;
using Portal.Features.Platform;
using Provisioning.Core.Releases;

namespace Portal.Tests.Portal.Components.Platform;

public sealed class ArtifactUploadFormTests
{
    private static readonly IReadOnlyList<ReleaseView> Releases =
    [
        new("demo-app@1.0.0", "demo-app", "1.0.0", "app", true, 2, 4, new string('a', 64)),
        new("demo-app@2.0.0", "demo-app", "2.0.0", "app", false, 2, 4, new string('b', 64)),
    ];

    private static IRenderedComponent<ArtifactUploadForm> Render(BunitContext ctx, Func<ArtifactUpload, Task<ArtifactUploadOutcome>> publish, string? preselected = "demo-app@2.0.0") =>
        ctx.Render<ArtifactUploadForm>(p => p
            .Add(f => f.Releases, Releases)
            .Add(f => f.PreselectedReleaseId, preselected)
            .Add(f => f.Publish, publish));

    private static void ChooseFile(IRenderedComponent<ArtifactUploadForm> form, string name, string content) =>
        form.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromText(content, name));

    [Fact]
    public async Task WithoutReleaseOrFile_SaysWhatIsMissing_AndPublishesNothing()
    {
        var (ctx, _) = MudBunit.NewContext();
        await using var _ctx = ctx;
        var published = new List<ArtifactUpload>();
        var form = Render(ctx, u => { published.Add(u); return Task.FromResult(ArtifactUploadOutcome.Published); }, preselected: null);

        form.Button("upload-submit").Click();

        form.ErrorUnder("upload-release").ShouldBe("Choose a release.");
        form.Find("[data-testid=upload-file-error]").TextContent.ShouldBe("Choose the artifact file.");
        published.ShouldBeEmpty();
    }

    [Fact]
    public async Task AMalformedChecksum_IsRefusedInline()
    {
        var (ctx, _) = MudBunit.NewContext();
        await using var _ctx = ctx;
        var published = new List<ArtifactUpload>();
        var form = Render(ctx, u => { published.Add(u); return Task.FromResult(ArtifactUploadOutcome.Published); });
        ChooseFile(form, "demo-app-2.0.0.json", "{}");

        form.Enter("upload-sha", "not-a-checksum");
        form.Button("upload-submit").Click();

        form.ErrorUnder("upload-sha").ShouldBe("The checksum must be 64 hexadecimal characters.");
        published.ShouldBeEmpty();
    }

    [Fact]
    public async Task AChecksumMismatch_IsShownOnTheChecksumField()
    {
        var (ctx, _) = MudBunit.NewContext();
        await using var _ctx = ctx;
        var expected = new string('c', 64);
        ArtifactUpload? sent = null;
        var form = Render(ctx, u =>
        {
            sent = u;
            return Task.FromResult(new ArtifactUploadOutcome(ChecksumMismatch: "Checksum mismatch, nothing was stored."));
        });
        ChooseFile(form, "demo-app-2.0.0.json", "{\"schema\":1}");

        form.Enter("upload-sha", expected);
        form.Button("upload-submit").Click();

        sent.ShouldNotBeNull();
        sent.ReleaseId.ShouldBe("demo-app@2.0.0");
        sent.File.Name.ShouldBe("demo-app-2.0.0.json");
        sent.ExpectedSha256.ShouldBe(expected);
        form.ErrorUnder("upload-sha").ShouldBe("Checksum mismatch, nothing was stored.");
    }

    [Fact]
    public async Task WhileUploading_TheButtonIsBusy_AndAfterwardsTheFormIsReadyForTheNextOne()
    {
        var (ctx, _) = MudBunit.NewContext();
        await using var _ctx = ctx;
        var answer = new TaskCompletionSource<ArtifactUploadOutcome>();
        var calls = 0;
        var form = Render(ctx, _ => { calls++; return answer.Task; });
        ChooseFile(form, "demo-app-2.0.0.json", "{}");
        form.Find("[data-testid=upload-file-name]").TextContent.ShouldBe("demo-app-2.0.0.json");

        form.Button("upload-submit").Click();
        form.Button("upload-submit").HasAttribute("disabled").ShouldBeTrue();
        form.Button("upload-submit").TextContent.Trim().ShouldBe("Uploading…");
        form.Button("upload-submit").Click();
        calls.ShouldBe(1);

        answer.SetResult(ArtifactUploadOutcome.Published);
        form.WaitForAssertion(() => form.Button("upload-submit").HasAttribute("disabled").ShouldBeFalse());
        form.Find("[data-testid=upload-file-name]").TextContent.ShouldBe("No file chosen");
    }
}
