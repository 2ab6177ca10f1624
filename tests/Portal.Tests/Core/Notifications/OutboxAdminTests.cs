using Microsoft.Extensions.DependencyInjection;
using Portal.Tests.TestInfrastructure;
using Provisioning.Core.Notifications;
using static Portal.Tests.TestInfrastructure.OutboxRows;
using Provisioning.Core.Persistence;

namespace Portal.Tests.Core.Notifications;

/// <summary>The admins' lists of the outbox on a real SQLite file: one tenant's for its admins, every tenant's for the platform.</summary>
public abstract class OutboxAdminTests(DatabaseProvider provider)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<(ProvisioningHarness Harness, OutboxAdmin Outbox)> StartWithMailAsync()
    {
        var harness = await ProvisioningHarness.StartAsync(provider: provider);
        var t0 = harness.Time.GetUtcNow();
        await SaveAsync(await harness.DbAsync(),
            Email("acme", "member@acme.test", "acme sent", t0, OutboxStatus.Sent),
            Email("acme", "admin@acme.test", "acme failed", t0.AddMinutes(1), OutboxStatus.Failed),
            Email("acme", "member@acme.test", "acme pending", t0.AddMinutes(2), OutboxStatus.Pending),
            Email("globex", "member@globex.test", "globex failed", t0.AddMinutes(3), OutboxStatus.Failed),
            Email("globex", "member@globex.test", "globex sent", t0.AddMinutes(4), OutboxStatus.Sent));
        return (harness, harness.Services.GetRequiredService<OutboxAdmin>());
    }

    [Fact]
    public async Task ListForTenant_ShowsThatTenantsMailOnly_NewestFirst()
    {
        var (harness, outbox) = await StartWithMailAsync();
        await using var _ = harness;

        var acme = await outbox.ListForTenantAsync("acme", null, 1, 20, Ct);

        acme.Total.ShouldBe(3);
        acme.Items.Select(m => m.Subject).ShouldBe(["acme pending", "acme failed", "acme sent"]);
        acme.Items.ShouldAllBe(m => m.TenantId == "acme");
    }

    [Fact]
    public async Task ListForTenant_FiltersByStatus_WithinTheTenant()
    {
        var (harness, outbox) = await StartWithMailAsync();
        await using var _ = harness;

        var failed = await outbox.ListForTenantAsync("globex", OutboxStatus.Failed, 1, 20, Ct);

        failed.Items.ShouldHaveSingleItem().Subject.ShouldBe("globex failed");
        failed.Items[0].LastError.ShouldBe(Refused);
        failed.Total.ShouldBe(1);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public async Task ListForTenant_WithoutATenant_Throws_RatherThanListEveryTenant(string? tenant)
    {
        var (harness, outbox) = await StartWithMailAsync();
        await using var _ = harness;

        await Should.ThrowAsync<ArgumentException>(() => outbox.ListForTenantAsync(tenant!, null, 1, 20, Ct));
    }

    [Fact]
    public async Task List_WithoutATenant_IsEveryTenants_AndPages()
    {
        var (harness, outbox) = await StartWithMailAsync();
        await using var _ = harness;

        var first = await outbox.ListAsync(null, null, 1, 2, Ct);
        var third = await outbox.ListAsync(null, null, 3, 2, Ct);

        first.Total.ShouldBe(5);
        first.Items.Select(m => m.Subject).ShouldBe(["globex sent", "globex failed"]);
        third.Items.Select(m => m.Subject).ShouldBe(["acme sent"]);
    }

    [Theory]
    [InlineData(4, 2)]
    [InlineData(int.MaxValue, 100)]
    [InlineData(21_474_837, 100)]
    public async Task List_PageBeyondTheEnd_IsEmpty_WithTheTotal(int page, int pageSize)
    {
        var (harness, outbox) = await StartWithMailAsync();
        await using var _ = harness;

        // Without the 64-bit check, (page - 1) * pageSize overflows to a negative offset that SQLite reads as 0.
        var beyond = await outbox.ListAsync(null, null, page, pageSize, Ct);

        beyond.Items.ShouldBeEmpty();
        beyond.Total.ShouldBe(5);
        beyond.Page.ShouldBe(page);
    }

    [Fact]
    public async Task Tenants_AreTheTenantsWithMail_InOrder()
    {
        var (harness, outbox) = await StartWithMailAsync();
        await using var _ = harness;

        (await outbox.TenantsAsync(Ct)).ShouldBe(["acme", "globex"]);
    }
}

public sealed class OutboxAdminTestsOnSqlite() : OutboxAdminTests(DatabaseProvider.Sqlite);

public sealed class OutboxAdminTestsOnPostgres() : OutboxAdminTests(DatabaseProvider.Postgres);
