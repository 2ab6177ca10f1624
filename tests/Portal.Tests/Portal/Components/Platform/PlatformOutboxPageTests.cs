using System.Security.Claims;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using Portal.Features.Identity;
using Portal.Features.Notifications;
using Portal.Features.Platform;
using Portal.Tests.TestInfrastructure;
using Provisioning.Core.Identity;
using Provisioning.Core.Notifications;
using Provisioning.Core.Persistence;
using Provisioning.Core.Workspaces;
using static Portal.Tests.TestInfrastructure.OutboxRows;

namespace Portal.Tests.Portal.Components.Platform;

/// <summary>The platform admin's email outbox on the real outbox over a temporary SQLite data directory.</summary>
public sealed class PlatformOutboxPageTests
{
    private static CancellationToken Ct => Xunit.TestContext.Current.CancellationToken;

    private sealed record Rendered(
        BunitContext Context, IRenderedComponent<MudPopoverProvider> Popovers, IRenderedComponent<PlatformOutboxPage> Page, HeldDbFactory Db)
        : IAsyncDisposable
    {
        public NavigationManager Navigation => Context.Services.GetRequiredService<NavigationManager>();

        public ValueTask DisposeAsync() => Context.DisposeAsync();
    }

    private static Rendered RenderPage(ProvisioningHarness harness, string url = "platform/outbox", bool platformAdmin = true)
    {
        var db = new HeldDbFactory(harness.Services.GetRequiredService<IDbContextFactory<ProvisioningDbContext>>());
        var (ctx, popovers) = MudBunit.NewContext(c =>
        {
            c.Services.AddSingleton(new OutboxAdmin(db, harness.Time));
            c.Services.AddSingleton(harness.Services.GetRequiredService<IWorkspaceUpdates>());
            var auth = c.AddAuthorization();
            auth.SetAuthorized(platformAdmin ? "ops@platform.test" : "admin@acme.test")
                .SetRoles((platformAdmin ? PortalRole.PlatformAdmin : PortalRole.TenantAdmin).ToString())
                .SetClaims(platformAdmin
                    ? [new Claim(ClaimTypes.NameIdentifier, "user-id")]
                    : [new Claim(ClaimTypes.NameIdentifier, "user-id"), new Claim(PortalClaims.Tenant, "acme")]);
            auth.SetPolicies(platformAdmin ? [PortalPolicies.PlatformAdmin] : [PortalPolicies.TenantUser, PortalPolicies.TenantAdmin]);
        });
        ctx.Services.GetRequiredService<NavigationManager>().NavigateTo(url);
        return new Rendered(ctx, popovers, ctx.Render<PlatformOutboxPage>(), db);
    }

    /// <summary>acme: sent, failed, pending; globex: failed, sent. One minute apart, in that order.</summary>
    private static async Task SeedTwoTenantsAsync(ProvisioningHarness harness)
    {
        var t0 = harness.Time.GetUtcNow();
        await SaveAsync(await harness.DbAsync(),
            Email("acme", "member@acme.test", "Your workspace billing could not be provisioned", t0, OutboxStatus.Sent, Guid.NewGuid()),
            Email("acme", "gone@acme.test", "[acme] Workspace billing failed: release_unavailable", t0.AddMinutes(1), OutboxStatus.Failed, Guid.NewGuid()),
            Email("acme", "admin@acme.test", "Your workspace orders is ready", t0.AddMinutes(2), OutboxStatus.Pending),
            Email("globex", "gone@globex.test", "Your workspace wiki could not be provisioned", t0.AddMinutes(3), OutboxStatus.Failed),
            Email("globex", "admin@globex.test", "[globex] Workspace wiki failed: unknown", t0.AddMinutes(4), OutboxStatus.Sent));
    }

    private static string[] Recipients(IRenderedComponent<PlatformOutboxPage> page) =>
        page.FindAll("[data-outbox-id]").Select(e => e.TextContent).ToArray();

    private static AngleSharp.Dom.IElement Row(IRenderedComponent<PlatformOutboxPage> page, string recipient) =>
        page.FindAll("[data-outbox-id]").Single(e => e.TextContent == recipient).Closest("tr")!;

    private static string Total(IRenderedComponent<PlatformOutboxPage> page) => page.Find("[data-testid=outbox-total]").TextContent.Trim();

    [Fact]
    public async Task ListsEveryTenantsEmails_NewestFirst_WithTheTenant_AndAResendEach()
    {
        await using var harness = await ProvisioningHarness.StartAsync();
        await SeedTwoTenantsAsync(harness);
        await using var r = RenderPage(harness);
        var page = r.Page;

        page.WaitForAssertion(() => Total(page).ShouldBe("5 emails"));
        Recipients(page).ShouldBe(["admin@globex.test", "gone@globex.test", "admin@acme.test", "gone@acme.test", "member@acme.test"]);
        page.FindAll("[data-testid=outbox-tenant]").Select(e => e.TextContent).ShouldBe(["globex", "globex", "acme", "acme", "acme"]);
        var failed = Row(page, "gone@acme.test");
        failed.QuerySelector("[data-status]")!.TextContent.ShouldBe("failed");
        failed.NextElementSibling!.QuerySelector("[data-testid=outbox-error]")!.TextContent.ShouldBe(Refused);
        // The workspace page is a tenant's: a platform admin sees the id, not a link they could not follow.
        failed.QuerySelector("a[data-testid=outbox-workspace]").ShouldBeNull();
        failed.QuerySelector("code[data-testid=outbox-workspace]").ShouldNotBeNull();
        page.FindAll("button[aria-label^='Resend']").Count.ShouldBe(5);
        Row(page, "gone@acme.test").QuerySelector("button")!.GetAttribute("aria-label")
            .ShouldBe("Resend “[acme] Workspace billing failed: release_unavailable” to gone@acme.test");
    }

    [Fact]
    public async Task TheStatusAndTenantFilters_ComeFromTheQueryString()
    {
        await using var harness = await ProvisioningHarness.StartAsync();
        await SeedTwoTenantsAsync(harness);

        await using var r = RenderPage(harness, "platform/outbox?status=failed&tenant_id=globex");
        var page = r.Page;

        page.WaitForAssertion(() => Total(page).ShouldBe("1 email"));
        Recipients(page).ShouldBe(["gone@globex.test"]);
        page.Find("#outbox-status-filter").GetAttribute("value").ShouldBe("failed");
        page.Find("#outbox-tenant-filter").GetAttribute("value").ShouldBe("globex");
    }

    [Fact]
    public async Task ChoosingAStatus_FiltersEveryTenant_ThenATenant_Narrows()
    {
        await using var harness = await ProvisioningHarness.StartAsync();
        await SeedTwoTenantsAsync(harness);
        await using var r = RenderPage(harness);
        var page = r.Page;
        page.WaitForAssertion(() => Total(page).ShouldBe("5 emails"));

        r.Popovers.Choose(page, "outbox-status-filter", "failed");

        page.WaitForAssertion(() => Total(page).ShouldBe("2 emails"));
        Recipients(page).ShouldBe(["gone@globex.test", "gone@acme.test"]);
        new Uri(r.Navigation.Uri).Query.ShouldBe("?status=failed");

        r.Popovers.Choose(page, "outbox-tenant-filter", "acme");

        page.WaitForAssertion(() => Total(page).ShouldBe("1 email"));
        Recipients(page).ShouldBe(["gone@acme.test"]);
        new Uri(r.Navigation.Uri).Query.ShouldBe("?status=failed&tenant_id=acme");
    }

    [Fact]
    public async Task Resend_OfAFailedEmail_ShowsItsLoadingState_IsOneResend_AndTheRowTurnsPending()
    {
        await using var harness = await ProvisioningHarness.StartAsync();
        await SeedTwoTenantsAsync(harness);
        // Filtered on failed: the resent email stays in view as pending rather than vanishing from the list.
        await using var r = RenderPage(harness, "platform/outbox?status=failed");
        var page = r.Page;
        page.WaitForAssertion(() => Total(page).ShouldBe("2 emails"));
        var email = page.FindComponent<OutboxMessageList>().Instance.Messages.Single(m => m.Recipient == "gone@acme.test");

        r.Db.Hold();
        Row(page, "gone@acme.test").QuerySelector("button")!.Click();

        page.WaitForAssertion(() => r.Db.Held.ShouldBe(1));
        var button = Row(page, "gone@acme.test").QuerySelector("button")!;
        button.HasAttribute("disabled").ShouldBeTrue();
        button.GetAttribute("aria-busy").ShouldBe("true");
        button.TextContent.ShouldContain("Resending…");
        // A second press while the first is answered, even one that gets past the disabled button, is not a second resend.
        var second = page.InvokeAsync(() => page.FindComponent<OutboxMessageList>().Instance.OnResend.InvokeAsync(email));
        second.IsCompleted.ShouldBeTrue();
        r.Db.Held.ShouldBe(1);

        r.Db.Release();

        page.WaitForAssertion(() => Row(page, "gone@acme.test").QuerySelector("[data-status]")!.TextContent.ShouldBe("pending"));
        var row = Row(page, "gone@acme.test");
        row.TextContent.ShouldContain("resent once");
        row.QuerySelector("button")!.HasAttribute("disabled").ShouldBeFalse();
        row.QuerySelector("button")!.TextContent.Trim().ShouldBe("Resend");
        r.Context.Services.GetRequiredService<ISnackbar>().ShownSnackbars
            .ShouldContain(s => s.Message == "The email to gone@acme.test is queued to go out again." && s.Severity == Severity.Success);
        await using var db = await harness.DbAsync();
        var stored = await db.Outbox.SingleAsync(m => m.Id == email.Id, Ct);
        stored.Status.ShouldBe(OutboxStatus.Pending);
        stored.Resends.ShouldBe(1);
        stored.NextAttemptAt.ShouldBe(harness.Time.GetUtcNow());
        // The other failed email is untouched.
        (await db.Outbox.SingleAsync(m => m.Recipient == "gone@globex.test", Ct)).Status.ShouldBe(OutboxStatus.Failed);
    }

    [Fact]
    public async Task ATenantAdmin_WhomTheRouterLetThrough_SeesNoEmails()
    {
        await using var harness = await ProvisioningHarness.StartAsync();
        await SeedTwoTenantsAsync(harness);

        await using var r = RenderPage(harness, platformAdmin: false);
        var page = r.Page;

        page.WaitForAssertion(() => page.Find("[data-testid=access-denied]").TextContent.ShouldContain("platform admins"));
        page.Markup.ShouldNotContain("@acme.test");
        page.FindAll("#outbox-messages").ShouldBeEmpty();
        r.Db.Created.ShouldBe(0);
    }

    /// <summary>The real context factory, which can hold every context it is asked for until released, counting them.</summary>
    private sealed class HeldDbFactory(IDbContextFactory<ProvisioningDbContext> inner) : IDbContextFactory<ProvisioningDbContext>
    {
        private TaskCompletionSource? _gate;
        private int _held;
        private int _created;

        /// <summary>Contexts asked for while held.</summary>
        public int Held => Volatile.Read(ref _held);

        public int Created => Volatile.Read(ref _created);

        public void Hold() => _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Release()
        {
            var gate = _gate;
            _gate = null;
            gate?.SetResult();
        }

        public ProvisioningDbContext CreateDbContext() => throw new NotSupportedException("The outbox creates its contexts asynchronously.");

        public async Task<ProvisioningDbContext> CreateDbContextAsync(CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _created);
            if (_gate is { } gate)
            {
                Interlocked.Increment(ref _held);
                await gate.Task.WaitAsync(cancellationToken);
            }

            return await inner.CreateDbContextAsync(cancellationToken);
        }
    }
}
