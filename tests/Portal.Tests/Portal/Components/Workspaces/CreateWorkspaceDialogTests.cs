using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Extensions;
using Portal.Features.Workspaces;
using Portal.Tests.TestInfrastructure;
using Provisioning.Core.Releases;
using Provisioning.Core.Workspaces;

namespace Portal.Tests.Portal.Components.Workspaces;

public sealed class CreateWorkspaceDialogTests
{
    private static readonly ReleaseView[] Releases =
    [
        new("demo-app@1.0.0", "demo-app", "1.0.0", "app", Available: true, 2, 4, "aa"),
        new("demo-app@2.0.0", "demo-app", "2.0.0", "app", Available: false, 2, 4, "bb"),
    ];

    [Fact]
    public async Task Submit_WithNothingFilledIn_ShowsWhatIsMissing_AndSendsNothing()
    {
        await using var ctx = BunitPortal.Create();
        var dialog = await OpenAsync(ctx, _ => throw new InvalidOperationException("Nothing may be sent."));

        dialog.Provider.Find("#create-workspace-submit").Click();

        dialog.Provider.WaitForAssertion(() =>
        {
            Errors(dialog.Provider).ShouldContain("A name is required.");
            Errors(dialog.Provider).ShouldContain("Choose a release.");
        });
        dialog.Sent.ShouldBeEmpty();
        dialog.Reference.Result.IsCompleted.ShouldBeFalse();
    }

    [Theory]
    [InlineData("Billing", WorkspaceRules.NameMessage)]
    [InlineData("ab", WorkspaceRules.NameMessage)]
    [InlineData("9lives", WorkspaceRules.NameMessage)]
    [InlineData("has_underscore", WorkspaceRules.NameMessage)]
    public async Task Typing_AnInvalidName_ShowsTheApiRuleInline_BeforeSubmit(string name, string message)
    {
        await using var ctx = BunitPortal.Create();
        var dialog = await OpenAsync(ctx, _ => throw new InvalidOperationException("Nothing may be sent."));

        dialog.Provider.Find("input#workspace-name").Input(name);

        dialog.Provider.WaitForAssertion(() => Errors(dialog.Provider).ShouldBe([message]));
        dialog.Provider.Find(".mud-input-control:has(#workspace-name)").ClassList.ShouldContain("mud-input-error");
        dialog.Sent.ShouldBeEmpty();

        // Fixing it clears the message.
        dialog.Provider.Find("input#workspace-name").Input("billing");
        dialog.Provider.WaitForAssertion(() => Errors(dialog.Provider).ShouldBeEmpty());
    }

    [Theory]
    [InlineData("workspace-cpu", "0", "CPU must be between 1 and 64.")]
    [InlineData("workspace-cpu", "65", "CPU must be between 1 and 64.")]
    [InlineData("workspace-memory", "513", "Memory must be between 1 and 512 GB.")]
    public async Task Typing_ASizeOutOfRange_ShowsTheApiRuleInline(string field, string value, string message)
    {
        await using var ctx = BunitPortal.Create();
        var dialog = await OpenAsync(ctx, _ => throw new InvalidOperationException("Nothing may be sent."));

        dialog.Provider.Find($"input#{field}").Input(value);

        dialog.Provider.WaitForAssertion(() => Errors(dialog.Provider).ShouldBe([message]));
    }

    [Fact]
    public async Task TheReleaseList_FlagsUnavailableReleases_AndChoosingOneWarnsButAllowsIt()
    {
        await using var ctx = BunitPortal.Create();
        var dialog = await OpenAsync(ctx, _ => Task.FromResult(CreateWorkspaceOutcome.Created(Guid.NewGuid())));

        var select = dialog.Provider.FindComponent<MudSelect<string>>();
        await dialog.Provider.InvokeAsync(() => select.Instance.OpenMenu());
        dialog.Provider.WaitForAssertion(() => dialog.Provider.Find(".mud-popover-open [data-release='demo-app@2.0.0']").TextContent.ShouldContain("unavailable"));
        dialog.Provider.Find(".mud-popover-open [data-release='demo-app@1.0.0']").TextContent.ShouldNotContain("unavailable");
        dialog.Provider.Find(".mud-popover-open [data-release='demo-app@2.0.0']").Click();

        dialog.Provider.WaitForAssertion(() => select.Instance.GetState(x => x.Value).ShouldBe("demo-app@2.0.0"));
        dialog.Provider.Find("[data-testid=release-unavailable]").TextContent.ShouldContain("demo-app@2.0.0 is not available right now");
        dialog.Provider.Find("input#workspace-release").GetAttribute("value").ShouldBe("demo-app 2.0.0 (unavailable)");
    }

    [Fact]
    public async Task Submit_Valid_SendsTheRequest_AndClosesWithTheNewWorkspace()
    {
        await using var ctx = BunitPortal.Create();
        var id = Guid.NewGuid();
        var dialog = await OpenAsync(ctx, _ => Task.FromResult(CreateWorkspaceOutcome.Created(id)));

        dialog.Provider.Find("input#workspace-name").Input("billing");
        await ChooseReleaseAsync(dialog.Provider, "demo-app@1.0.0");
        dialog.Provider.Find("input#workspace-cpu").Input("4");
        dialog.Provider.Find("#create-workspace-submit").Click();

        var result = await dialog.Reference.Result.WaitAsync(TimeSpan.FromSeconds(10), Xunit.TestContext.Current.CancellationToken);
        result.ShouldNotBeNull().Canceled.ShouldBeFalse();
        result.Data.ShouldBe(id);
        var sent = dialog.Sent.ShouldHaveSingleItem();
        (sent.Name, sent.ReleaseId, sent.Cpu, sent.MemoryGb).ShouldBe(("billing", "demo-app@1.0.0", 4, (int?)null));
    }

    [Fact]
    public async Task Submit_NameTaken_SaysSoOnTheNameField_AndStaysOpen()
    {
        await using var ctx = BunitPortal.Create();
        var dialog = await OpenAsync(ctx, _ => Task.FromResult(CreateWorkspaceOutcome.Refused(CreateRefusal.NameTaken)));

        dialog.Provider.Find("input#workspace-name").Input("billing");
        await ChooseReleaseAsync(dialog.Provider, "demo-app@1.0.0");
        dialog.Provider.Find("#create-workspace-submit").Click();

        dialog.Provider.WaitForAssertion(() => Errors(dialog.Provider).ShouldBe(["A workspace named 'billing' already exists."]));
        dialog.Reference.Result.IsCompleted.ShouldBeFalse();
        dialog.Provider.Find("#create-workspace-submit").HasAttribute("disabled").ShouldBeFalse();

        // Another name is fine again.
        dialog.Provider.Find("input#workspace-name").Input("billing-2");
        dialog.Provider.WaitForAssertion(() => Errors(dialog.Provider).ShouldBeEmpty());
    }

    [Fact]
    public async Task LeavingTheNameField_ChecksWhetherTheNameIsTaken()
    {
        await using var ctx = BunitPortal.Create();
        var dialog = await OpenAsync(ctx, _ => Task.FromResult(CreateWorkspaceOutcome.Created(Guid.NewGuid())),
            isNameTaken: name => Task.FromResult(name == "billing"));

        var input = dialog.Provider.Find("input#workspace-name");
        input.Input("billing");
        dialog.Provider.Find("input#workspace-name").Blur();

        dialog.Provider.WaitForAssertion(() => Errors(dialog.Provider).ShouldBe(["A workspace named 'billing' already exists."]));
    }

    [Fact]
    public async Task Submit_ClickedTwiceWhileSending_SendsOnce()
    {
        await using var ctx = BunitPortal.Create();
        var answer = new TaskCompletionSource<CreateWorkspaceOutcome>();
        var dialog = await OpenAsync(ctx, _ => answer.Task);
        dialog.Provider.Find("input#workspace-name").Input("billing");
        await ChooseReleaseAsync(dialog.Provider, "demo-app@1.0.0");

        dialog.Provider.Find("#create-workspace-submit").Click();
        dialog.Provider.WaitForAssertion(() => dialog.Sent.Count.ShouldBe(1));
        dialog.Provider.Find("#create-workspace-submit").HasAttribute("disabled").ShouldBeTrue();
        dialog.Provider.Find("#create-workspace-submit").Click();

        answer.SetResult(CreateWorkspaceOutcome.Created(Guid.NewGuid()));
        await dialog.Reference.Result.WaitAsync(TimeSpan.FromSeconds(10), Xunit.TestContext.Current.CancellationToken);
        dialog.Sent.Count.ShouldBe(1);
    }

    private sealed record OpenDialog(IRenderedComponent<IComponent> Provider, IDialogReference Reference, List<CreateWorkspaceModel> Sent);

    private static async Task<OpenDialog> OpenAsync(
        BunitContext ctx, Func<CreateWorkspaceModel, Task<CreateWorkspaceOutcome>> create, Func<string, Task<bool>>? isNameTaken = null)
    {
        var provider = ctx.Render(builder =>
        {
            builder.OpenComponent<MudPopoverProvider>(0);
            builder.CloseComponent();
            builder.OpenComponent<MudDialogProvider>(1);
            builder.CloseComponent();
        });
        var sent = new List<CreateWorkspaceModel>();
        var parameters = new DialogParameters<CreateWorkspaceDialog>
        {
            { d => d.Releases, Releases },
            { d => d.OnCreate, model => { sent.Add(new CreateWorkspaceModel { Name = model.Name, ReleaseId = model.ReleaseId, Cpu = model.Cpu, MemoryGb = model.MemoryGb }); return create(model); } },
            { d => d.IsNameTaken, isNameTaken },
        };
        var service = ctx.Services.GetRequiredService<IDialogService>();
        var reference = await provider.InvokeAsync(() => service.ShowAsync<CreateWorkspaceDialog>("New workspace", parameters));
        provider.WaitForElement("#create-workspace-form");
        return new OpenDialog(provider, reference, sent);
    }

    private static async Task ChooseReleaseAsync(IRenderedComponent<IComponent> provider, string releaseId)
    {
        var select = provider.FindComponent<MudSelect<string>>();
        await provider.InvokeAsync(() => select.Instance.SelectOption(releaseId));
        provider.WaitForAssertion(() => select.Instance.GetState(x => x.Value).ShouldBe(releaseId));
    }

    /// <summary>The validation messages the dialog shows now.</summary>
    private static string[] Errors(IRenderedComponent<IComponent> provider) =>
        provider.FindAll(".mud-input-helper-text.mud-input-error").Select(e => e.TextContent.Trim()).Where(t => t.Length > 0).ToArray();
}
