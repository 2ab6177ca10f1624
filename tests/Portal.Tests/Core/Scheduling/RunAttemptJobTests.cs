using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Portal.Tests.TestInfrastructure;
using Provisioning.Core.Templates;
using Provisioning.Core.Errors;
using Provisioning.Core.Identity;
using Provisioning.Core.Notifications;
using Provisioning.Core.Persistence;
using Provisioning.Core.Scheduling;
using Provisioning.Core.Steps;
using Provisioning.Core.Workspaces;

namespace Portal.Tests.Core.Scheduling;

/// <summary>
/// Nothing waits forever: a workspace the engine cannot carry on (here, one whose steps a bug left in a state the
/// engine refuses) is tried a bounded number of times by the real scheduler, then ends in <c>error</c> with
/// <c>internal_error</c>, told to the people concerned once, and can be retried or deleted.
/// </summary>
public abstract class RunAttemptJobTests(DatabaseProvider provider) : IAsyncLifetime
{
    private const int MaxFailures = 3;

    private readonly string _dataDirectory = TestPaths.NewDataDirectory();
    private readonly CapturedLogs _logs = new();
    private IHost _host = null!;
    private string? _postgresDatabase;

    public async ValueTask InitializeAsync()
    {
        _postgresDatabase = provider == DatabaseProvider.Postgres ? await PostgresServer.CreateDatabaseAsync() : null;
        _host = ProvisioningHost.Build(_dataDirectory, provider, _postgresDatabase, new Dictionary<string, string?>
        {
            ["Provisioning:Resume:MaxFailures"] = MaxFailures.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Provisioning:Resume:Delay"] = "00:00:00.050",
        }, _logs);
        await _host.StartAsync(TestContext.Current.CancellationToken);
        await using var db = await DbAsync();
        db.Users.AddRange(
            User("member@acme.test", PortalRole.Member),
            User("admin@acme.test", PortalRole.TenantAdmin));
        await db.SaveChangesAsync(TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync(CancellationToken.None);
        _host.Dispose();
        if (_postgresDatabase is not null)
        {
            await PostgresServer.DropDatabaseAsync(_postgresDatabase);
        }
    }

    [Fact]
    public async Task AnAttemptTheEngineCannotResume_EndsInInternalError_AfterBoundedTries_ThenARetrySucceeds()
    {
        var ct = TestContext.Current.CancellationToken;
        // A bug left two steps running at once, which the engine refuses to carry on from.
        var id = await StoppedWorkspaceAsync("wedged", WorkspaceStatus.Provisioning, ct);
        await CorruptAsync($"UPDATE provisioning_steps SET \"Status\" = 'Running' WHERE \"WorkspaceId\" = {id} AND \"Name\" IN ('validate_request', 'clone_vm')", ct);

        await Queue.EnqueueAsync(id, ct);
        var workspace = await WaitUntilAsync(id, w => w.Status == WorkspaceStatus.Error, ct);

        workspace.ErrorCode.ShouldBe(ErrorCatalogue.InternalError);
        workspace.ErrorDetail.ShouldBe("Something went wrong on our side. IT has been notified; you can retry.");
        workspace.ErrorTechnicalDetail.ShouldNotBeNull().ShouldContain("more than one running step");
        workspace.Steps.ShouldAllBe(s => s.Status == StepStatus.Pending);
        workspace.LatestAttempt!.Phase.ShouldBe(AttemptPhase.Failed);
        EngineFailures(id).ShouldBe(MaxFailures - 1);
        var critical = _logs.Entries.Where(l => l.Level == LogLevel.Critical).ToList();
        critical.ShouldHaveSingleItem().Message.ShouldStartWith($"CRITICAL: the portal could not carry on the attempt 1 of workspace {id}");
        var failed = (await EventsAsync(id, ct)).Where(e => e.Type == WorkspaceEventTypes.Failed).ShouldHaveSingleItem();
        JsonDocument.Parse(failed.Payload).RootElement.GetProperty("error_code").GetString().ShouldBe(ErrorCatalogue.InternalError);
        await using (var db = await DbAsync())
        {
            var emails = await db.Outbox.Where(m => m.WorkspaceId == id).OrderBy(m => m.Recipient).ToListAsync(ct);
            emails.Select(m => $"{m.Recipient} {m.Template}").ShouldBe(
                [$"admin@acme.test {EmailTemplates.TenantAdminFailure}", $"member@acme.test {EmailTemplates.RequesterFailure}"]);
            emails[0].Model.ShouldContain("more than one running step");
            emails[1].Model.ShouldNotContain("more than one running step");
        }

        (await Requests.RetryAsync(id, "acme", "member@acme.test", ct)).Accepted.ShouldBeTrue();
        (await WaitUntilAsync(id, w => w.Status == WorkspaceStatus.Ready, ct)).Attempts.Count.ShouldBe(2);
    }

    [Fact]
    public async Task ADeletionTheEngineCannotResume_EndsInInternalError_ThenDeletingAgainSucceeds()
    {
        var ct = TestContext.Current.CancellationToken;
        var id = await StoppedWorkspaceAsync("wedged-delete", WorkspaceStatus.Deprovisioning, ct);
        await CorruptAsync($"UPDATE provisioning_steps SET \"Status\" = 'Running' WHERE \"WorkspaceId\" = {id} AND \"Name\" = 'clone_vm'", ct);

        await Queue.EnqueueAsync(id, ct);
        var workspace = await WaitUntilAsync(id, w => w.Status == WorkspaceStatus.Error, ct);

        workspace.ErrorCode.ShouldBe(ErrorCatalogue.InternalError);
        (await EventsAsync(id, ct)).Where(e => e.Type == WorkspaceEventTypes.DeprovisioningFailed).ShouldHaveSingleItem();
        _logs.Entries.Where(l => l.Level == LogLevel.Critical).ShouldHaveSingleItem().Message.ShouldContain("the deletion of workspace");

        (await Requests.DeleteAsync(id, "acme", "member@acme.test", ct)).Refusal.ShouldBeNull();
        await WaitUntilAsync(id, w => w.Status == WorkspaceStatus.Deleted, ct);
    }

    private IAttemptQueue Queue => _host.Services.GetRequiredService<IAttemptQueue>();

    private ProvisioningRequests Requests => _host.Services.GetRequiredService<ProvisioningRequests>();

    private int EngineFailures(Guid id) =>
        _logs.Entries.Count(l => l.Message.StartsWith($"The engine failed while running workspace {id}", StringComparison.Ordinal));

    /// <summary>A VM workspace saved in the given status with no job of its own yet, as a stopped portal leaves one.</summary>
    private async Task<Guid> StoppedWorkspaceAsync(string name, WorkspaceStatus status, CancellationToken ct)
    {
        var now = TimeProvider.System.GetUtcNow();
        var workspace = Workspace.Request("acme", "member@acme.test", name, "ubuntu-vm@24.04", new WorkspaceSize(1, 1), TemplateCatalog.BuiltInPlan("vm"), now);
        if (status == WorkspaceStatus.Deprovisioning)
        {
            foreach (var step in TemplateCatalog.BuiltInPlan("vm"))
            {
                workspace.StartStep(step, now);
                workspace.CompleteStep(step, now);
            }

            workspace.CompleteAttempt(now);
            workspace.BeginDeprovisioning("member@acme.test", now);
        }

        await using var db = await DbAsync();
        db.Workspaces.Add(workspace);
        await db.SaveChangesAsync(ct);
        return workspace.Id;
    }

    private async Task CorruptAsync(FormattableString sql, CancellationToken ct)
    {
        await using var db = await DbAsync();
        (await db.Database.ExecuteSqlAsync(sql, ct)).ShouldBeGreaterThan(0);
    }

    private async Task<IReadOnlyList<WorkspaceEvent>> EventsAsync(Guid id, CancellationToken ct)
    {
        await using var db = await DbAsync();
        return await db.Events.Where(e => e.WorkspaceId == id).OrderBy(e => e.Sequence).ToListAsync(ct);
    }

    private async Task<Workspace> WaitUntilAsync(Guid id, Func<Workspace, bool> condition, CancellationToken ct)
    {
        var deadline = TimeProvider.System.GetUtcNow() + TimeSpan.FromSeconds(30);
        while (true)
        {
            await using (var db = await DbAsync())
            {
                var workspace = (await db.LoadWorkspaceAsync(id, ct))!;
                if (condition(workspace))
                {
                    return workspace;
                }

                if (TimeProvider.System.GetUtcNow() > deadline)
                {
                    throw new TimeoutException($"Workspace {id} is still {workspace.Status} after 30 s.\n" +
                        string.Join("\n", _logs.Entries.TakeLast(20).Select(l => $"{l.Level} {l.Message}")));
                }
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50), ct);
        }
    }

    private Task<ProvisioningDbContext> DbAsync() =>
        _host.Services.GetRequiredService<IDbContextFactory<ProvisioningDbContext>>().CreateDbContextAsync();

    private static PortalUser User(string email, PortalRole role) => new()
    {
        UserName = email,
        NormalizedUserName = email.ToUpperInvariant(),
        Email = email,
        NormalizedEmail = email.ToUpperInvariant(),
        EmailConfirmed = true,
        TenantId = "acme",
        Role = role,
    };
}

public sealed class RunAttemptJobTestsOnSqlite() : RunAttemptJobTests(DatabaseProvider.Sqlite);

public sealed class RunAttemptJobTestsOnPostgres() : RunAttemptJobTests(DatabaseProvider.Postgres);
