using Microsoft.EntityFrameworkCore;
using Portal.Tests.TestInfrastructure;
using Provisioning.Core.Errors;
using Provisioning.Core.Identity;
using Provisioning.Core.Notifications;
using Provisioning.Core.Workspaces;
using Provisioning.Core.Persistence;

namespace Portal.Tests.Core.Notifications;

/// <summary>Who is notified of what, written with the event that causes it (DESIGN §8), on a real SQLite file.</summary>
public abstract class WorkspaceNotificationsTests(DatabaseProvider provider)
{
    private const string MissingRelease = "demo-app@2.0.0";
    private const string VmRelease = "ubuntu-vm@24.04";

    [Fact]
    public async Task Failure_NotifiesTheRequesterAndEveryTenantAdmin_InAppAndByEmail()
    {
        await using var harness = await ProvisioningHarness.StartAsync(provider: provider);
        var cast = await harness.AddCastAsync();
        var workspace = await harness.CreateAsync(MissingRelease);

        await harness.RunAsync(workspace.Id);

        var failed = (await harness.EventsAsync(workspace.Id)).Single(e => e.Type == WorkspaceEventTypes.Failed);
        var notifications = await harness.NotificationsAsync();
        notifications.Select(n => n.UserId).ShouldBe([cast.Requester.Id, cast.AcmeAdmin.Id, cast.SecondAcmeAdmin.Id], ignoreOrder: true);
        notifications.ShouldAllBe(n => n.Kind == WorkspaceNotifications.ProvisioningFailedKind && n.TenantId == "acme"
            && n.WorkspaceId == workspace.Id && n.ReadAt == null && n.CreatedAt == failed.OccurredAt);
        notifications.Single(n => n.UserId == cast.Requester.Id).Message.ShouldBe(ErrorCatalogue.Get(ErrorCatalogue.ReleaseUnavailable).UserMessage);

        var outbox = await harness.OutboxAsync();
        outbox.Select(m => (m.Recipient, m.Template)).ShouldBe(
        [
            ("admin2@acme.test", EmailTemplates.TenantAdminFailure),
            ("admin@acme.test", EmailTemplates.TenantAdminFailure),
            ("member@acme.test", EmailTemplates.RequesterFailure),
        ]);
        outbox.ShouldAllBe(m => m.Status == OutboxStatus.Pending && m.Attempts == 0 && m.TenantId == "acme" && m.WorkspaceId == workspace.Id
            && m.NextAttemptAt == failed.OccurredAt && m.SentAt == null);
        outbox.Single(m => m.Recipient == "member@acme.test").RecipientUserId.ShouldBe(cast.Requester.Id);
        outbox.Single(m => m.Recipient == "member@acme.test").Subject.ShouldBe($"Your workspace {workspace.Name} could not be provisioned");
        outbox.Single(m => m.Recipient == "admin@acme.test").Subject.ShouldBe($"[acme] Workspace {workspace.Name} failed: release_unavailable");
    }

    [Fact]
    public async Task Failure_NotifiesNoOneOfAnotherTenant_NorPlatformAdmins()
    {
        await using var harness = await ProvisioningHarness.StartAsync(provider: provider);
        var cast = await harness.AddCastAsync();
        var workspace = await harness.CreateAsync(MissingRelease);

        await harness.RunAsync(workspace.Id);

        var outsiders = new[] { cast.GlobexMember.Id, cast.GlobexAdmin.Id, cast.PlatformOps.Id };
        (await harness.NotificationsAsync()).ShouldNotContain(n => outsiders.Contains(n.UserId));
        (await harness.OutboxAsync()).ShouldNotContain(m => outsiders.Contains(m.RecipientUserId) || m.Recipient.EndsWith("globex.test") || m.Recipient.StartsWith("ops@"));
    }

    [Fact]
    public async Task Failure_NeverNotifiesAUserOfAnotherTenant_EvenOneNamedAsTheRequester()
    {
        await using var harness = await ProvisioningHarness.StartAsync(provider: provider);
        var cast = await harness.AddCastAsync();
        // A globex workspace whose recorded requester is an acme address: only globex people may hear of it.
        var created = await harness.Requests.CreateAsync(
            new CreateWorkspace("globex", "member@acme.test", "globex-ws", MissingRelease, null, null), TestContext.Current.CancellationToken);

        await harness.RunAsync(created.Workspace!.Id);

        (await harness.NotificationsAsync()).Select(n => n.UserId).ShouldBe([cast.GlobexAdmin.Id]);
        (await harness.OutboxAsync()).Select(m => m.Recipient).ShouldBe(["admin@globex.test"]);
        harness.Logs.Entries.ShouldContain(l => l.Message.Contains("is no user of tenant globex", StringComparison.Ordinal));
    }

    [Fact]
    public async Task UserWithEmailTurnedOff_GetsTheInAppNotificationOnly()
    {
        await using var harness = await ProvisioningHarness.StartAsync(provider: provider);
        var requester = await harness.AddUserAsync("member@acme.test", "acme", PortalRole.Member, emailNotifications: false);
        var admin = await harness.AddUserAsync("admin@acme.test", "acme", PortalRole.TenantAdmin, emailNotifications: false);
        var workspace = await harness.CreateAsync(MissingRelease);

        await harness.RunAsync(workspace.Id);

        (await harness.NotificationsAsync()).Select(n => n.UserId).ShouldBe([requester.Id, admin.Id], ignoreOrder: true);
        (await harness.OutboxAsync()).ShouldBeEmpty();
    }

    [Fact]
    public async Task RequesterWhoIsATenantAdmin_GetsOneNotificationAndOneEmail_TheAdminsVersion()
    {
        await using var harness = await ProvisioningHarness.StartAsync(provider: provider);
        var requester = await harness.AddUserAsync("member@acme.test", "acme", PortalRole.TenantAdmin);
        var workspace = await harness.CreateAsync(MissingRelease);

        await harness.RunAsync(workspace.Id);

        (await harness.NotificationsAsync()).Single().UserId.ShouldBe(requester.Id);
        (await harness.OutboxAsync()).Single().Template.ShouldBe(EmailTemplates.TenantAdminFailure);
    }

    [Fact]
    public async Task SuccessOfARetry_TellsTheRequesterTheWorkspaceIsReady_AndNoOneElse()
    {
        await using var harness = await ProvisioningHarness.StartAsync(provider: provider);
        var cast = await harness.AddCastAsync();
        await harness.Simulator.SetCapacityAsync(1, 1, TestContext.Current.CancellationToken);
        var workspace = await harness.CreateAsync("demo-app@1.0.0");
        await harness.RunAsync(workspace.Id);
        var afterFailure = (await harness.OutboxAsync()).Count;

        await harness.Simulator.SetCapacityAsync(64, 256, TestContext.Current.CancellationToken);
        (await harness.Requests.RetryAsync(workspace.Id, "acme", "admin@acme.test", TestContext.Current.CancellationToken)).Accepted.ShouldBeTrue();
        await harness.RunAsync(workspace.Id);

        (await harness.LoadAsync(workspace.Id)).Status.ShouldBe(WorkspaceStatus.Ready);
        var ready = (await harness.NotificationsAsync()).Where(n => n.Kind == WorkspaceNotifications.WorkspaceReadyKind).ToList();
        ready.Single().UserId.ShouldBe(cast.Requester.Id);
        ready.Single().Title.ShouldBe($"{workspace.Name} is ready");
        var email = (await harness.OutboxAsync()).Where(m => m.Template == EmailTemplates.WorkspaceReady).ShouldHaveSingleItem();
        email.Recipient.ShouldBe("member@acme.test");
        email.Model<WorkspaceReadyModel>().ShouldBe(new WorkspaceReadyModel(workspace.Id, workspace.Name, 2, $"http://localhost:5152/workspaces/{workspace.Id}"));
        (await harness.OutboxAsync()).Count.ShouldBe(afterFailure + 1);
    }

    [Fact]
    public async Task SuccessOfTheFirstAttempt_NotifiesNoOne()
    {
        await using var harness = await ProvisioningHarness.StartAsync(provider: provider);
        await harness.AddCastAsync();
        var workspace = await harness.CreateAsync(VmRelease);

        await harness.RunAsync(workspace.Id);

        (await harness.LoadAsync(workspace.Id)).Status.ShouldBe(WorkspaceStatus.Ready);
        (await harness.NotificationsAsync()).ShouldBeEmpty();
        (await harness.OutboxAsync()).ShouldBeEmpty();
    }

    [Fact]
    public async Task AdminEmail_CarriesCodeTechnicalDetailCorrelationIdAndThePerStepRetryHistory()
    {
        await using var harness = await ProvisioningHarness.StartAsync(new Dictionary<string, string?> { ["Portal:PublicBaseUrl"] = "https://portal.example.test/" }, provider);
        await harness.AddCastAsync();
        await harness.AddFaultAsync("configure_network", ErrorCatalogue.ConnectionTimeout);
        var workspace = await harness.CreateAsync(VmRelease);
        var start = harness.Time.GetUtcNow();

        await harness.RunAsync(workspace.Id);

        var loaded = await harness.LoadAsync(workspace.Id);
        var model = (await harness.OutboxAsync()).First(m => m.Template == EmailTemplates.TenantAdminFailure).Model<TenantAdminFailureModel>();
        model.ErrorCode.ShouldBe(ErrorCatalogue.ConnectionTimeout);
        model.TechnicalDetail.ShouldBe(loaded.ErrorTechnicalDetail);
        model.CorrelationId.ShouldBe(loaded.CorrelationId);
        model.FailedStep.ShouldBe("configure_network");
        model.Attempt.ShouldBe(1);
        model.RetryCount.ShouldBe(4);
        model.AdminUrl.ShouldBe("https://portal.example.test/admin");
        model.WorkspaceUrl.ShouldBe($"https://portal.example.test/workspaces/{workspace.Id}");

        model.Steps.Select(s => (s.Step, s.Outcome)).ShouldBe([("validate_request", "succeeded"), ("clone_vm", "succeeded"), ("configure_network", "failed")]);
        // What compensation did to the step's resources: the cloned VM went; a step with nothing to undo says nothing.
        model.Steps[0].Compensation.ShouldBeNull();
        model.Steps[1].Compensation.ShouldBe("released");
        var network = model.Steps[2];
        network.Retries.ShouldBe(4);
        network.StartedAt.ShouldBe(start);
        network.FinishedAt.ShouldBe(start + Seconds(150));
        network.Tries.Select(t => t.Try).ShouldBe([1, 2, 3, 4, 5]);
        network.Tries.Select(t => t.At - start).ShouldBe([Seconds(0), Seconds(10), Seconds(30), Seconds(70), Seconds(150)]);
        network.Tries.Select(t => t.NextRetryAt - start).ShouldBe(new TimeSpan?[] { Seconds(10), Seconds(30), Seconds(70), Seconds(150), null });
        network.Tries.ShouldAllBe(t => t.ErrorCode == ErrorCatalogue.ConnectionTimeout && t.TechnicalDetail!.Contains("Simulated fault"));
    }

    [Fact]
    public async Task RequesterEmail_OfARealFailure_HoldsNoCodeTechnicalDetailOrCorrelationId()
    {
        await using var harness = await ProvisioningHarness.StartAsync(provider: provider);
        await harness.AddCastAsync();
        var workspace = await harness.CreateAsync(MissingRelease);
        await harness.RunAsync(workspace.Id);
        var loaded = await harness.LoadAsync(workspace.Id);
        var message = (await harness.OutboxAsync()).Single(m => m.Template == EmailTemplates.RequesterFailure);

        var email = await NotificationTestData.Renderer().RenderAsync(message.Template, message.Model, TestContext.Current.CancellationToken);

        foreach (var part in new[] { message.Model, email.Html, email.Text })
        {
            part.ShouldContain(loaded.ErrorDetail!);
            part.ShouldNotContain(loaded.ErrorTechnicalDetail!);
            part.ShouldNotContain(loaded.CorrelationId!.Value.ToString());
            part.ShouldNotContain(loaded.ErrorCode!);
            part.ShouldNotContain(loaded.ReleaseId);
        }
    }

    [Fact]
    public async Task NotificationsCommitWithTheFailureEvent_OrNotAtAll()
    {
        await using var harness = await ProvisioningHarness.StartAsync(provider: provider);
        await harness.AddCastAsync();
        var workspace = await harness.CreateAsync(MissingRelease);
        var cancellationToken = TestContext.Current.CancellationToken;

        await using (var db = await harness.DbAsync())
        {
            var loaded = (await db.LoadWorkspaceAsync(workspace.Id, cancellationToken))!;
            var error = new ProvisioningError(ErrorCatalogue.ReleaseUnavailable, "gone");
            loaded.StartStep("fetch_release", harness.Time.GetUtcNow());
            loaded.FailStep("fetch_release", error, harness.Time.GetUtcNow());
            loaded.SkipCompensation("fetch_release");
            loaded.FailAttempt(harness.Time.GetUtcNow());
            // Something else in the same save breaks a key: the whole save, the failure with it, must roll back.
            db.Tenants.Add(new Tenant("acme", "Acme again"));
            await Should.ThrowAsync<DbUpdateException>(() => db.SaveChangesAsync(cancellationToken));
        }

        (await harness.EventsAsync(workspace.Id)).ShouldNotContain(e => e.Type == WorkspaceEventTypes.Failed);
        (await harness.NotificationsAsync()).ShouldBeEmpty();
        (await harness.OutboxAsync()).ShouldBeEmpty();

        await harness.RunAsync(workspace.Id);
        (await harness.OutboxAsync()).Count.ShouldBe(3);
    }

    private static TimeSpan Seconds(int seconds) => TimeSpan.FromSeconds(seconds);
}

public sealed class WorkspaceNotificationsTestsOnSqlite() : WorkspaceNotificationsTests(DatabaseProvider.Sqlite);

public sealed class WorkspaceNotificationsTestsOnPostgres() : WorkspaceNotificationsTests(DatabaseProvider.Postgres);
