using Microsoft.Extensions.DependencyInjection;
using Portal.Tests.TestInfrastructure;
using Provisioning.Core.Workspaces;
using Provisioning.Core.Persistence;

namespace Portal.Tests.Core.Workspaces;

public abstract class WorkspaceQueriesTests(DatabaseProvider provider)
{
    [Fact]
    public async Task Timeline_LeavesTechnicalDetailOut_UnlessAskedForByAnAdmin()
    {
        await using var harness = await ProvisioningHarness.StartAsync(provider: provider);
        var workspace = await harness.CreateAsync("demo-app@2.0.0");
        await harness.RunAsync(workspace.Id);
        var queries = harness.Services.GetRequiredService<WorkspaceQueries>();

        var forMember = await queries.EventsAsync("acme", workspace.Id, includeTechnicalDetail: false, CancellationToken.None);
        var forAdmin = await queries.EventsAsync("acme", workspace.Id, includeTechnicalDetail: true, CancellationToken.None);

        var failed = forMember!.Single(e => e.Type == WorkspaceEventTypes.Failed).Payload;
        failed.TryGetProperty("technical_detail", out _).ShouldBeFalse();
        failed.GetProperty("error_message").GetString().ShouldNotBeNullOrEmpty();
        forAdmin!.Single(e => e.Type == WorkspaceEventTypes.Failed).Payload.GetProperty("technical_detail").GetString()
            .ShouldNotBeNull().ShouldContain("demo-app-2.0.0.json");
    }

    [Fact]
    public async Task AnotherTenantsWorkspace_DoesNotExist()
    {
        await using var harness = await ProvisioningHarness.StartAsync(provider: provider);
        var workspace = await harness.CreateAsync("ubuntu-vm@24.04");
        var queries = harness.Services.GetRequiredService<WorkspaceQueries>();

        (await queries.GetAsync("globex", workspace.Id, CancellationToken.None)).ShouldBeNull();
        (await queries.EventsAsync("globex", workspace.Id, false, CancellationToken.None)).ShouldBeNull();
        (await queries.ResourcesAsync("globex", workspace.Id, CancellationToken.None)).ShouldBeNull();
        (await queries.ListAsync("globex", null, 1, 20, CancellationToken.None)).Total.ShouldBe(0);
        (await queries.GetAsync("acme", workspace.Id, CancellationToken.None)).ShouldNotBeNull();
    }

    [Fact]
    public async Task List_WithASearch_KeepsNamesThatContainIt_InAnyCase_WithinTheStatusAndTenant()
    {
        await using var harness = await ProvisioningHarness.StartAsync(provider: provider);
        var billing = (await harness.Requests.CreateAsync(new CreateWorkspace("acme", "member@acme.test", "billing-eu", "ubuntu-vm@24.04"), CancellationToken.None)).Workspace!;
        await harness.Requests.CreateAsync(new CreateWorkspace("acme", "member@acme.test", "crm", "ubuntu-vm@24.04"), CancellationToken.None);
        await harness.Requests.CreateAsync(new CreateWorkspace("globex", "member@globex.test", "billing-us", "ubuntu-vm@24.04"), CancellationToken.None);
        var queries = harness.Services.GetRequiredService<WorkspaceQueries>();

        var found = await queries.ListAsync("acme", null, " BILL ", 1, 20, CancellationToken.None);

        found.Items.Select(w => w.WorkspaceId).ShouldBe([billing.Id]);
        found.Total.ShouldBe(1);
        (await queries.ListAsync("acme", WorkspaceStatus.Ready, "bill", 1, 20, CancellationToken.None)).Total.ShouldBe(0);
        (await queries.ListAsync("acme", null, "", 1, 20, CancellationToken.None)).Total.ShouldBe(2);
        (await queries.ListAsync("acme", null, 1, 20, CancellationToken.None)).Total.ShouldBe(2);
    }
}

public sealed class WorkspaceQueriesTestsOnSqlite() : WorkspaceQueriesTests(DatabaseProvider.Sqlite);

public sealed class WorkspaceQueriesTestsOnPostgres() : WorkspaceQueriesTests(DatabaseProvider.Postgres);
