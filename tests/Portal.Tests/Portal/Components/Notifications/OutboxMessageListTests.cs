using Bunit;
using Portal.Features.Notifications;
using Provisioning.Core.Notifications;

namespace Portal.Tests.Portal.Components.Notifications;

public sealed class OutboxMessageListTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 28, 9, 0, 0, TimeSpan.Zero);

    private static OutboxMessageView Email(string? lastError = null, OutboxStatus status = OutboxStatus.Failed, int resends = 0) => new(
        Guid.Parse("0199a000-0000-7000-8000-0000000000e1"), "member@acme.test", "user-1", "acme", Guid.Parse("0199a000-0000-7000-8000-0000000000a1"),
        EmailTemplates.RequesterFailure, "Your workspace billing could not be provisioned", status, 2, lastError, null, T0, T0.AddSeconds(5),
        status == OutboxStatus.Sent ? T0.AddSeconds(5) : null, resends);

    [Fact]
    public async Task ATenantAdminsList_ShowsTheEmail_LinksItsWorkspace_AndHasNoTenantNorResend()
    {
        var (ctx, _) = MudBunit.NewContext();
        await using var _ctx = ctx;

        var list = ctx.Render<OutboxMessageList>(p => p.Add(l => l.Messages, [Email("451 4.3.0 Try again later")]).Add(l => l.Label, "Emails")
            .Add(l => l.LinkWorkspaces, true));

        list.Find("[data-testid=outbox-subject]").TextContent.ShouldBe("Your workspace billing could not be provisioned");
        list.Find("[data-outbox-id]").TextContent.ShouldBe("member@acme.test");
        list.Find("[data-testid=outbox-template]").TextContent.ShouldBe("requester_failure");
        list.Find("[data-status]").TextContent.ShouldBe("failed");
        list.Find("[data-testid=outbox-attempts]").TextContent.ShouldBe("2 attempts");
        list.Find("[data-testid=outbox-error]").TextContent.ShouldBe("451 4.3.0 Try again later");
        var link = list.Find("a[data-testid=outbox-workspace]");
        link.GetAttribute("href").ShouldBe("workspaces/0199a000-0000-7000-8000-0000000000a1");
        link.GetAttribute("aria-label").ShouldBe("Open workspace of “Your workspace billing could not be provisioned”");
        list.FindAll("th").Select(h => h.TextContent.Trim()).ShouldBe(["Email", "Status", "Created", "Sent", "Workspace"]);
        list.FindAll("button").ShouldBeEmpty();
        list.Find("table").GetAttribute("aria-label").ShouldBe("Emails");
    }

    [Fact]
    public async Task APlatformList_ShowsTheTenant_TheIdNotALink_AndAResendThatCallsBack()
    {
        var (ctx, _) = MudBunit.NewContext();
        await using var _ctx = ctx;
        var resent = new List<OutboxMessageView>();
        var email = Email(status: OutboxStatus.Sent, resends: 2);

        var list = ctx.Render<OutboxMessageList>(p => p.Add(l => l.Messages, [email]).Add(l => l.Label, "Outbox")
            .Add(l => l.ShowTenant, true).Add(l => l.OnResend, (OutboxMessageView m) => resent.Add(m)));

        list.FindAll("th").Select(h => h.TextContent.Trim()).ShouldBe(["Email", "Tenant", "Status", "Created", "Sent", "Workspace", "Actions"]);
        list.Find("[data-testid=outbox-tenant]").TextContent.ShouldBe("acme");
        list.FindAll("a[data-testid=outbox-workspace]").ShouldBeEmpty();
        list.Find("code[data-testid=outbox-workspace]").TextContent.ShouldBe("0199a000-0000-7000-8000-0000000000a1");
        list.Markup.ShouldContain("resent 2 times");
        list.FindAll("[data-testid=outbox-error]").ShouldBeEmpty();

        list.Find("button[aria-label='Resend “Your workspace billing could not be provisioned” to member@acme.test']").Click();

        resent.ShouldHaveSingleItem().ShouldBe(email);
    }

    [Fact]
    public async Task WhileResending_TheButtonShowsItsLoadingState()
    {
        var (ctx, _) = MudBunit.NewContext();
        await using var _ctx = ctx;
        var email = Email();

        var list = ctx.Render<OutboxMessageList>(p => p.Add(l => l.Messages, [email]).Add(l => l.Label, "Outbox")
            .Add(l => l.Busy, new HashSet<Guid> { email.Id }).Add(l => l.OnResend, (OutboxMessageView _) => { }));

        var button = list.Find("button");
        button.HasAttribute("disabled").ShouldBeTrue();
        button.GetAttribute("aria-busy").ShouldBe("true");
        button.TextContent.ShouldContain("Resending…");
    }

    [Fact]
    public async Task ALongError_ShowsItsBeginning_UntilShowAll()
    {
        var (ctx, _) = MudBunit.NewContext();
        await using var _ctx = ctx;
        var error = "550 5.7.1 " + new string('x', 1990);

        var list = ctx.Render<OutboxMessageList>(p => p.Add(l => l.Messages, [Email(error)]).Add(l => l.Label, "Emails"));

        list.Find("[data-testid=outbox-error]").TextContent.ShouldBe(error[..OutboxMessageList.ErrorPreviewLength] + "…");
        var toggle = list.Find("button[aria-controls]");
        toggle.TextContent.Trim().ShouldBe("Show all");
        toggle.GetAttribute("aria-expanded").ShouldBe("false");
        toggle.GetAttribute("aria-controls").ShouldBe(list.Find("[data-testid=outbox-error]").Id);

        toggle.Click();

        list.Find("[data-testid=outbox-error]").TextContent.ShouldBe(error);
        list.Find("button[aria-controls]").GetAttribute("aria-expanded").ShouldBe("true");
        list.Find("button[aria-controls]").TextContent.Trim().ShouldBe("Show less");
    }

    [Fact]
    public async Task NoEmails_SaysSo()
    {
        var (ctx, _) = MudBunit.NewContext();
        await using var _ctx = ctx;

        var list = ctx.Render<OutboxMessageList>(p => p.Add(l => l.Messages, []).Add(l => l.Label, "Emails"));

        list.Find("[data-testid=no-emails]").TextContent.ShouldBe("No emails match these filters.");
    }
}
