using MimeKit;
using Portal.Tests.TestInfrastructure;
using Provisioning.Core.Notifications;
using Provisioning.Core.Persistence;

namespace Portal.Tests.Core.Notifications;

/// <summary>
/// Delivery of the outbox to a real SMTP server on 127.0.0.1 (and to the pickup folder), with the engine's
/// fake time driving the backoff between delivery runs.
/// </summary>
public abstract class OutboxDeliveryTests(DatabaseProvider provider)
{
    private const string MissingRelease = "demo-app@2.0.0";

    [Fact]
    public async Task Failure_DeliversExactlyOneEmailToTheRequester_AndOneToEachTenantAdmin()
    {
        await using var smtp = await SmtpTestServer.StartNewAsync();
        await using var harness = await ProvisioningHarness.StartAsync(SmtpSettings(smtp), provider);
        await harness.AddCastAsync();
        var workspace = await harness.CreateAsync(MissingRelease);
        await harness.RunAsync(workspace.Id);

        var run = await harness.DeliverAsync(harness.Delivery());

        run.ShouldBe(new OutboxRun(Sent: 3, Deferred: 0, Failed: 0));
        var messages = smtp.Messages();
        messages.Select(m => m.Recipient()).ShouldBe(["admin2@acme.test", "admin@acme.test", "member@acme.test"], ignoreOrder: true);
        messages.ShouldAllBe(m => m.To.Mailboxes.Count() == 1 && m.Cc.Count == 0 && m.Bcc.Count == 0 && m.From.Mailboxes.Single().Address == "portal@portal.example.test");
        var requester = messages.Single(m => m.Recipient() == "member@acme.test");
        requester.Subject.ShouldBe($"Your workspace {workspace.Name} could not be provisioned");
        requester.HtmlBody!.ShouldContain($"https://portal.example.test/workspaces/{workspace.Id}");
        requester.TextBody!.ShouldContain("The release artifact is not available.");
        requester.Headers["Auto-Submitted"].ShouldBe("auto-generated");
        messages.Where(m => m.Recipient() != "member@acme.test").ShouldAllBe(m => m.TextBody!.Contains("release_unavailable"));

        var outbox = await harness.OutboxAsync();
        outbox.ShouldAllBe(m => m.Status == OutboxStatus.Sent && m.Attempts == 1 && m.SentAt == harness.Time.GetUtcNow() && m.NextAttemptAt == null);
        messages.Select(m => m.MessageId).ShouldBe(outbox.Select(m => $"{m.Id:N}@portal.example.test"), ignoreOrder: true);

        (await harness.DeliverAsync(harness.Delivery())).Processed.ShouldBe(0);
        smtp.Messages().Count.ShouldBe(3);
    }

    [Fact]
    public async Task SmtpOutage_DelaysMail_AndLosesNone_NorSendsAnyTwice()
    {
        await using var smtp = SmtpTestServer.Create();
        await using var harness = await ProvisioningHarness.StartAsync(SmtpSettings(smtp), provider);
        await harness.AddCastAsync();
        var delivery = harness.Delivery();
        foreach (var name in new[] { "one", "two" })
        {
            var workspace = await harness.CreateAsync(MissingRelease, name: name);
            await harness.RunAsync(workspace.Id);
        }

        // The server is down: every message stays queued, with what went wrong and when it is tried next.
        var down = await harness.DeliverAsync(delivery);
        down.ShouldBe(new OutboxRun(Sent: 0, Deferred: 6, Failed: 0));
        var firstFailure = harness.Time.GetUtcNow();
        var queued = await harness.OutboxAsync();
        queued.Count.ShouldBe(6);
        queued.ShouldAllBe(m => m.Status == OutboxStatus.Pending && m.Attempts == 1 && m.LastAttemptAt == firstFailure
            && m.NextAttemptAt == firstFailure + TimeSpan.FromSeconds(30));
        queued.ShouldAllBe(m => m.LastError!.Contains("Connection refused"));

        // Backing off: nothing is due before its time, and the next failure doubles the wait.
        (await harness.DeliverAsync(delivery)).Processed.ShouldBe(0);
        harness.Time.Advance(TimeSpan.FromSeconds(30));
        (await harness.DeliverAsync(delivery)).Deferred.ShouldBe(6);
        var secondFailure = harness.Time.GetUtcNow();
        (await harness.OutboxAsync()).ShouldAllBe(m => m.Attempts == 2 && m.NextAttemptAt == secondFailure + TimeSpan.FromSeconds(60));
        smtp.Messages().ShouldBeEmpty();

        // The server is back on the same port: everything queued arrives, once.
        await smtp.StartAsync();
        harness.Time.Advance(TimeSpan.FromSeconds(60));
        (await harness.DeliverAsync(delivery)).ShouldBe(new OutboxRun(Sent: 6, Deferred: 0, Failed: 0));
        (await harness.DeliverAsync(delivery)).Processed.ShouldBe(0);

        var outbox = await harness.OutboxAsync();
        outbox.ShouldAllBe(m => m.Status == OutboxStatus.Sent && m.Attempts == 3 && m.SentAt != null);
        var messages = smtp.Messages();
        messages.Count.ShouldBe(6);
        messages.Select(m => m.MessageId).ShouldBe(outbox.Select(m => $"{m.Id:N}@portal.example.test"), ignoreOrder: true);
        messages.GroupBy(m => m.Recipient()).ToDictionary(g => g.Key, g => g.Count()).ShouldBe(new Dictionary<string, int>
        {
            ["member@acme.test"] = 2,
            ["admin@acme.test"] = 2,
            ["admin2@acme.test"] = 2,
        }, ignoreOrder: true);
    }

    [Fact]
    public async Task RunsAtTheSameTime_AsOnSeveralNodes_SendEachEmailOnce()
    {
        await using var smtp = await SmtpTestServer.StartNewAsync();
        var settings = SmtpSettings(smtp);
        settings["Mail:Delivery:BatchSize"] = "4";
        await using var harness = await ProvisioningHarness.StartAsync(settings, provider);
        await harness.AddCastAsync();
        for (var i = 0; i < 10; i++)
        {
            var workspace = await harness.CreateAsync(MissingRelease, name: $"race{i}");
            await harness.RunAsync(workspace.Id);
        }

        // Four runs, as four nodes' delivery jobs, on one database: each claims its own batches.
        var runs = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => harness.Delivery().DeliverDueAsync(TestContext.Current.CancellationToken)));

        runs.Sum(r => r.Sent).ShouldBe(30);
        runs.Sum(r => r.Processed).ShouldBe(30);
        var messages = await smtp.WaitForMessagesAsync(30);
        messages.Count.ShouldBe(30);
        messages.Select(m => m.MessageId).Distinct().Count().ShouldBe(30);
        var outbox = await harness.OutboxAsync();
        outbox.ShouldAllBe(m => m.Status == OutboxStatus.Sent && m.Attempts == 1 && m.ClaimedBy == null && m.ClaimedUntil == null);
    }

    [Fact]
    public async Task EmailsClaimedByANodeThatDied_WaitForTheLease_ThenGoOnce()
    {
        await using var smtp = await SmtpTestServer.StartNewAsync();
        await using var harness = await ProvisioningHarness.StartAsync(SmtpSettings(smtp), provider);
        await harness.AddCastAsync();
        var workspace = await harness.CreateAsync(MissingRelease);
        await harness.RunAsync(workspace.Id);
        var now = harness.Time.GetUtcNow();
        await using (var db = await harness.DbAsync())
        {
            (await db.ClaimOutboxAsync("dead-node", now, now + TimeSpan.FromMinutes(5), 50, TestContext.Current.CancellationToken)).ShouldBe(3);
        }

        (await harness.DeliverAsync(harness.Delivery())).Processed.ShouldBe(0);
        harness.Time.Advance(TimeSpan.FromMinutes(5));
        (await harness.DeliverAsync(harness.Delivery())).Sent.ShouldBe(3);

        (await smtp.WaitForMessagesAsync(3)).Count.ShouldBe(3);
        (await harness.OutboxAsync()).ShouldAllBe(m => m.Status == OutboxStatus.Sent && m.ClaimedBy == null);
    }

    [Fact]
    public async Task Outage_OfOneRun_IsRetriedByPolly_WithinTheRun()
    {
        await using var smtp = SmtpTestServer.Create();
        await using var harness = await ProvisioningHarness.StartAsync(SmtpSettings(smtp, sendAttempts: 3), provider);
        await harness.AddCastAsync();
        var workspace = await harness.CreateAsync(MissingRelease);
        await harness.RunAsync(workspace.Id);
        var delivery = harness.Delivery();

        // Polly waits 1 s, then 2 s between the tries of one send: all on the harness's fake clock.
        var run = delivery.DeliverDueAsync(TestContext.Current.CancellationToken);
        var waits = await harness.Time.DriveAsync(run);

        waits.ShouldBe([TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)]);
        (await run).Deferred.ShouldBe(3);
        (await harness.OutboxAsync()).ShouldAllBe(m => m.Attempts == 1);
    }

    [Fact]
    public async Task WithNoSmtpHost_MailIsWrittenToThePickupFolder_AsEmlFiles()
    {
        await using var harness = await ProvisioningHarness.StartAsync(provider: provider);
        await harness.AddCastAsync();
        var workspace = await harness.CreateAsync(MissingRelease);
        await harness.RunAsync(workspace.Id);

        (await harness.DeliverAsync(harness.Delivery())).Sent.ShouldBe(3);

        var folder = Path.Combine(harness.DataDirectory, "mail");
        var outbox = await harness.OutboxAsync();
        Directory.GetFiles(folder).Select(Path.GetFileName).ShouldBe(outbox.Select(m => $"{m.Id:N}.eml"), ignoreOrder: true);
        var requester = await MimeMessage.LoadAsync(Path.Combine(folder, $"{outbox.Single(m => m.Template == EmailTemplates.RequesterFailure).Id:N}.eml"), TestContext.Current.CancellationToken);
        requester.To.Mailboxes.Single().Address.ShouldBe("member@acme.test");
        requester.Subject.ShouldBe($"Your workspace {workspace.Name} could not be provisioned");
        requester.HtmlBody!.ShouldContain($"http://localhost:5152/workspaces/{workspace.Id}");
        requester.TextBody!.ShouldContain($"http://localhost:5152/workspaces/{workspace.Id}");
    }

    [Fact]
    public async Task PickupDirectory_CanBeConfigured()
    {
        var folder = Path.Combine(TestPaths.NewDataDirectory(), "outgoing");
        await using var harness = await ProvisioningHarness.StartAsync(new Dictionary<string, string?> { ["Mail:PickupDirectory"] = folder }, provider);
        await harness.AddCastAsync();
        var workspace = await harness.CreateAsync(MissingRelease);
        await harness.RunAsync(workspace.Id);

        await harness.DeliverAsync(harness.Delivery());

        Directory.GetFiles(folder, "*.eml").Length.ShouldBe(3);
        Directory.Exists(Path.Combine(harness.DataDirectory, "mail")).ShouldBeFalse();
        Directory.Delete(Path.GetDirectoryName(folder)!, recursive: true);
    }

    [Fact]
    public async Task Resend_OfASentEmail_DeliversItAgain_AsANewMessage()
    {
        await using var smtp = await SmtpTestServer.StartNewAsync();
        await using var harness = await ProvisioningHarness.StartAsync(SmtpSettings(smtp), provider);
        await harness.AddCastAsync();
        var workspace = await harness.CreateAsync(MissingRelease);
        await harness.RunAsync(workspace.Id);
        await harness.DeliverAsync(harness.Delivery());
        var sent = (await harness.OutboxAsync()).Single(m => m.Template == EmailTemplates.RequesterFailure);
        var admin = harness.Services.GetService(typeof(OutboxAdmin)).ShouldBeOfType<OutboxAdmin>();

        var queued = await admin.ResendAsync(sent.Id, TestContext.Current.CancellationToken);
        queued!.Status.ShouldBe(OutboxStatus.Pending);
        queued.Resends.ShouldBe(1);
        (await harness.DeliverAsync(harness.Delivery())).Sent.ShouldBe(1);

        var messages = smtp.Messages();
        messages.Count.ShouldBe(4);
        messages.Where(m => m.Recipient() == "member@acme.test").Select(m => m.MessageId)
            .ShouldBe([$"{sent.Id:N}@portal.example.test", $"{sent.Id:N}-1@portal.example.test"], ignoreOrder: true);
        (await admin.ResendAsync(Guid.NewGuid(), TestContext.Current.CancellationToken)).ShouldBeNull();
    }

    [Fact]
    public async Task AModelThatCannotBeRendered_FailsForGood_AndDoesNotHoldUpTheRest()
    {
        await using var harness = await ProvisioningHarness.StartAsync(provider: provider);
        await harness.AddCastAsync();
        var workspace = await harness.CreateAsync(MissingRelease);
        await harness.RunAsync(workspace.Id);
        await using (var db = await harness.DbAsync())
        {
            var broken = new OutboxMessage("member@acme.test", "x", "acme", workspace.Id, "no_such_template", "{}", "Broken", harness.Time.GetUtcNow());
            db.Outbox.Add(broken);
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        }

        var run = await harness.DeliverAsync(harness.Delivery());

        run.ShouldBe(new OutboxRun(Sent: 3, Deferred: 0, Failed: 1));
        var failed = (await harness.OutboxAsync()).Single(m => m.Status == OutboxStatus.Failed);
        failed.Template.ShouldBe("no_such_template");
        failed.LastError!.ShouldStartWith("Rendering failed:");
        failed.NextAttemptAt.ShouldBeNull();
    }

    private static Dictionary<string, string?> SmtpSettings(SmtpTestServer smtp, int sendAttempts = 1) => new()
    {
        ["Mail:Smtp:Host"] = "127.0.0.1",
        ["Mail:Smtp:Port"] = smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Mail:Smtp:Security"] = "None",
        ["Mail:Smtp:Timeout"] = "00:00:10",
        ["Mail:From"] = "Provisioning Portal <portal@portal.example.test>",
        ["Mail:Delivery:SendAttempts"] = sendAttempts.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Portal:PublicBaseUrl"] = "https://portal.example.test",
    };
}

public sealed class OutboxDeliveryTestsOnSqlite() : OutboxDeliveryTests(DatabaseProvider.Sqlite);

public sealed class OutboxDeliveryTestsOnPostgres() : OutboxDeliveryTests(DatabaseProvider.Postgres);
