using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Portal.Tests.TestInfrastructure;
using Provisioning.Core.Steps;
using Provisioning.Core.Templates;
using Provisioning.Core.Workspaces;

namespace Portal.Tests.Core.Templates;

/// <summary>The templates in examples/templates, which teams copy, load — and the shell-only one provisions and cleans up.</summary>
public sealed class ExampleTemplatesTests
{
    private static readonly string Examples = Path.Combine(TestPaths.RepositoryRoot, "examples", "templates");

    [Fact]
    public void TheExamples_Load()
    {
        var builtIns = StepNames.BuiltIn.ToDictionary(n => n, _ => ResourcePolicy.Release);

        var catalog = new TemplateCatalog(builtIns, new TemplateOptions { Directory = Examples }, new ConfigurationBuilder().Build());

        catalog.All.Select(t => t.Name).ShouldBe(["app", "vm", "kubectl-app", "shell-bucket"]);
        catalog.Find("kubectl-app")!.StepNames.ShouldBe(["apply_namespace", "apply_workload", "wait_for_rollout"]);
    }

    [Fact]
    public async Task KubectlApp_InDryRun_MakesItsManifestsWithoutACluster()
    {
        // kubectl comes with the test command (scripts/test.sh installs Debian's kubernetes-client when missing).
        const string variable = "PORTAL_EXAMPLE_DRY_RUN";
        Environment.SetEnvironmentVariable(variable, "client");
        await using var harness = await ProvisioningHarness.StartAsync(new Dictionary<string, string?>
        {
            ["Provisioning:Templates:Directory"] = Examples,
            ["Provisioning:Templates:Environment:0"] = variable,
        });
        await harness.AddReleaseAsync("web", template: "kubectl-app", cpu: 2, memoryGb: 4);
        var workspace = await harness.CreateAsync("web@1.0.0", name: "web");

        await harness.RunAsync(workspace.Id);

        (await harness.LoadAsync(workspace.Id)).Status.ShouldBe(WorkspaceStatus.Ready);
        await using var db = await harness.DbAsync();
        var log = await db.StepLogLines.Where(l => l.WorkspaceId == workspace.Id && l.Step == "apply_workload").OrderBy(l => l.Number)
            .Select(l => l.Line).ToListAsync(TestContext.Current.CancellationToken);
        log[0].ShouldBe("dry run: would apply to portal-acme:");
        log.ShouldContain("kind: Deployment");
        log.ShouldContain("            memory: 4Gi");
        log.ShouldContain($"    provisioning-portal/workspace: {workspace.Id}");
        (await db.Outputs.SingleAsync(o => o.WorkspaceId == workspace.Id, TestContext.Current.CancellationToken)).Value
            .ShouldBe($"ws-{workspace.Id.ToString()[..8]}.portal-acme.svc");
    }

    [Fact]
    public async Task ShellBucket_ProvisionsABucketWithASecretPassword_AndDeletingTheWorkspaceRemovesIt()
    {
        await using var harness = await ProvisioningHarness.StartAsync(new Dictionary<string, string?> { ["Provisioning:Templates:Directory"] = Examples });
        await harness.AddReleaseAsync("bucket", template: "shell-bucket");
        var workspace = await harness.CreateAsync("bucket@1.0.0", name: "bucket");
        var bucket = $"/tmp/portal-buckets/ws-{workspace.Id:N}-make_bucket";
        try
        {
            await harness.RunAsync(workspace.Id);

            (await harness.LoadAsync(workspace.Id)).Status.ShouldBe(WorkspaceStatus.Ready);
            Directory.Exists(bucket).ShouldBeTrue();
            await using (var db = await harness.DbAsync())
            {
                (await db.Outputs.Where(o => o.WorkspaceId == workspace.Id).OrderBy(o => o.Key).Select(o => new { o.Key, o.Secret }).ToListAsync(TestContext.Current.CancellationToken))
                    .ShouldBe([new { Key = "bucket_password", Secret = true }, new { Key = "bucket_path", Secret = false }]);
                (await db.StepLogLines.AnyAsync(l => l.WorkspaceId == workspace.Id && l.Line == $"bucket {bucket} is there", TestContext.Current.CancellationToken)).ShouldBeTrue();
            }

            (await harness.Requests.DeleteAsync(workspace.Id, "acme", "member@acme.test", TestContext.Current.CancellationToken)).Refusal.ShouldBeNull();
            await harness.RunAsync(workspace.Id);

            (await harness.LoadAsync(workspace.Id)).Status.ShouldBe(WorkspaceStatus.Deleted);
            Directory.Exists(bucket).ShouldBeFalse();
        }
        finally
        {
            if (Directory.Exists(bucket))
            {
                Directory.Delete(bucket, recursive: true);
            }
        }
    }
}
