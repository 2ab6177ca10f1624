using Bunit;
using MudBlazor.Services;
using Portal.Features.Admin;
using Provisioning.Core.Errors;
using Provisioning.Core.Workspaces;

namespace Portal.Tests.Portal.Components.Admin;

public sealed class AdminRetryButtonTests
{
    [Fact]
    public async Task Click_GoesIntoLoadingAtOnce_AndASecondClickDoesNotRetryAgain()
    {
        await using var ctx = new BunitContext();
        ctx.Services.AddMudServices();
        ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        var answer = new TaskCompletionSource();
        var calls = 0;
        var button = ctx.Render<AdminRetryButton>(p => p
            .Add(b => b.WorkspaceName, "billing")
            .Add(b => b.OnRetry, () => { calls++; return answer.Task; }));

        button.Find("button").Click();

        var pressed = button.Find("button");
        pressed.HasAttribute("disabled").ShouldBeTrue();
        pressed.GetAttribute("aria-busy").ShouldBe("true");
        pressed.TextContent.ShouldContain("Retrying…");
        // A second click while the first is answered is ignored.
        button.Find("button").Click();
        calls.ShouldBe(1);

        answer.SetResult();
        button.WaitForAssertion(() => button.Find("button").HasAttribute("disabled").ShouldBeFalse());
        button.Find("button").TextContent.ShouldContain("Retry");
    }

    [Fact]
    public async Task WhileTheParentSaysBusy_TheButtonStaysDisabled()
    {
        await using var ctx = new BunitContext();
        ctx.Services.AddMudServices();
        ctx.JSInterop.Mode = JSRuntimeMode.Loose;

        var button = ctx.Render<AdminRetryButton>(p => p.Add(b => b.WorkspaceName, "billing").Add(b => b.Busy, true));

        button.Find("button").HasAttribute("disabled").ShouldBeTrue();
        button.Find("button").GetAttribute("aria-label").ShouldBe("Retry billing");
    }

    [Fact]
    public async Task ARefusal_IsShownUnderTheButton()
    {
        await using var ctx = new BunitContext();
        ctx.Services.AddMudServices();
        ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        var refusal = TenantAdminPage.Explain(new RetryResult(null, RetryRefusal.ReleaseUnavailable,
            new ProvisioningError(ErrorCatalogue.ReleaseUnavailable, "Artifact missing.")));

        var button = ctx.Render<AdminRetryButton>(p => p.Add(b => b.WorkspaceName, "billing").Add(b => b.Refusal, refusal));

        var message = button.Find("[data-testid=retry-refusal]");
        message.GetAttribute("role").ShouldBe("alert");
        message.TextContent.ShouldBe(
            "The release is still unavailable (release_unavailable). The release artifact is not available. An administrator has been notified; retry once it is published.");
    }

    [Theory]
    [InlineData(RetryRefusal.ProvisioningInProgress, "The workspace is already being provisioned.")]
    [InlineData(RetryRefusal.NotInError, "Only a workspace in error can be retried.")]
    [InlineData(RetryRefusal.NotFound, "The workspace no longer exists.")]
    public void Explain_SaysWhyARetryWasRefused(RetryRefusal refusal, string expected) =>
        TenantAdminPage.Explain(new RetryResult(null, refusal)).ShouldBe(expected);
}
