using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Tests.TestInfrastructure;
using Provisioning.Core.Errors;
using Provisioning.Core.Persistence;
using Provisioning.Core.Releases;
using Provisioning.Core.Workspaces;

namespace Portal.Tests.Core.Templates;

/// <summary>
/// A template's command steps (issue 15, point 2) run as real child processes by the real engine: a throwaway folder
/// of shell scripts that leave a journal of what ran, with which phase, attempt and retry count.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public abstract class CommandStepTests(DatabaseProvider provider) : IDisposable
{
    private const string Template = """
        name: scripted
        description: A bucket, its configuration and a check.
        steps:
          - name: make_bucket
            on_failure: retain
            run: ./bucket.sh
            compensate: ./bucket.sh
          - name: configure
            run: ./configure.sh
            compensate: ./configure.sh
          - name: check
            timeout: 00:00:05
            run: ./check.sh
        """;

    private const string Journal = """echo "$PORTAL_STEP $PORTAL_PHASE attempt=$PORTAL_ATTEMPT retry=$PORTAL_RETRY_COUNT" >> journal""";

    private static readonly string[] Scripts =
    [
        "bucket.sh", $$"""
            #!/bin/sh
            {{Journal}}
            if [ "$PORTAL_PHASE" = compensate ]; then echo "deleting bucket b-$PORTAL_WORKSPACE_ID"; exit 0; fi
            password=$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
            echo "$password" > password.txt
            echo "bucket=b-$PORTAL_WORKSPACE_ID" >> "$PORTAL_OUTPUT"
            echo "password=$password" >> "$PORTAL_SECRET_OUTPUT"
            echo "created bucket b-$PORTAL_WORKSPACE_ID with password $password"
            echo "a warning on stderr" >&2
            """,
        "configure.sh", $$"""
            #!/bin/sh
            {{Journal}}
            if [ "$PORTAL_PHASE" = execute ]; then env | sort > env-configure.txt; fi
            echo "using bucket $PORTAL_OUT_BUCKET and password $PORTAL_OUT_PASSWORD"
            """,
        "check.sh", $$"""
            #!/bin/sh
            {{Journal}}
            if [ -f fail ]; then
              printf '{"code": "insufficient_resources", "detail": "no room for %s"}' "$PORTAL_OUT_PASSWORD" > "$PORTAL_ERROR"
              exit 3
            fi
            if [ -f tempfail ]; then
              left=$(cat tempfail)
              if [ "$left" -gt 0 ]; then echo $((left - 1)) > tempfail; echo "the registry is busy" >&2; exit 75; fi
            fi
            if [ -f hang ]; then sleep 300 & echo $! > sleeper.pid; wait; fi
            if [ -f chatty ]; then i=1; while [ $i -le 25 ]; do echo "line $i"; i=$((i + 1)); done; fi
            exit 0
            """,
    ];

    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("scripted-template-");

    public void Dispose() => _folder.Delete(recursive: true);

    [Fact]
    public async Task CommandSteps_RunInACleanEnvironment_AndTheirOutputsReachLaterSteps_SecretOnesEncryptedAndMasked()
    {
        var keep = $"KEEP_{Guid.NewGuid():N}";
        var leak = $"LEAK_{Guid.NewGuid():N}";
        Environment.SetEnvironmentVariable(keep, "kept");
        Environment.SetEnvironmentVariable(leak, "leaked");
        await using var harness = await StartAsync(new() { ["Provisioning:Templates:Environment:0"] = keep });
        var workspace = await CreateAsync(harness);

        await harness.RunAsync(workspace.Id);

        (await harness.LoadAsync(workspace.Id)).Status.ShouldBe(WorkspaceStatus.Ready);
        JournalLines().ShouldBe(["make_bucket execute attempt=1 retry=0", "configure execute attempt=1 retry=0", "check execute attempt=1 retry=0"]);
        var password = File.ReadAllText(Path.Combine(_folder.FullName, "password.txt")).Trim();
        var environment = File.ReadAllLines(Path.Combine(_folder.FullName, "env-configure.txt"))
            .Select(l => l.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);
        environment["PORTAL_WORKSPACE_ID"].ShouldBe(workspace.Id.ToString());
        environment["PORTAL_WORKSPACE_NAME"].ShouldBe(workspace.Name);
        environment["PORTAL_TENANT"].ShouldBe("acme");
        environment["PORTAL_RELEASE_ID"].ShouldBe("scripted@1.0.0");
        environment["PORTAL_CPU"].ShouldBe("1");
        environment["PORTAL_MEMORY_GB"].ShouldBe("2");
        environment["PORTAL_STEP"].ShouldBe("configure");
        environment["PORTAL_PHASE"].ShouldBe("execute");
        environment["PORTAL_ATTEMPT"].ShouldBe("1");
        environment["PORTAL_RETRY_COUNT"].ShouldBe("0");
        environment["PORTAL_CORRELATION_ID"].ShouldBe(workspace.CorrelationId.ToString());
        environment["PORTAL_IDEMPOTENCY_KEY"].ShouldBe($"ws-{workspace.Id:N}-configure");
        environment["PORTAL_OUT_BUCKET"].ShouldBe($"b-{workspace.Id}");
        environment["PORTAL_OUT_PASSWORD"].ShouldBe(password);
        environment.ShouldContainKey("PORTAL_OUTPUT");
        environment.ShouldContainKey("PORTAL_SECRET_OUTPUT");
        environment.ShouldContainKey("PORTAL_ERROR");
        environment[keep].ShouldBe("kept");
        environment.ShouldNotContainKey(leak);
        environment.ShouldNotContainKey("PORTAL_ARTIFACT");
        environment.Keys.Except(["PATH", "HOME", "LANG", "PWD", "SHLVL", "_", keep]).ShouldAllBe(k => k.StartsWith("PORTAL_"));

        await using var db = await harness.DbAsync();
        var outputs = await db.Outputs.Where(o => o.WorkspaceId == workspace.Id).OrderBy(o => o.Key).ToListAsync(TestContext.Current.CancellationToken);
        outputs.Select(o => (o.Key, o.Step, o.Secret)).ShouldBe([("bucket", "make_bucket", false), ("password", "make_bucket", true)]);
        outputs[0].Value.ShouldBe($"b-{workspace.Id}");
        outputs[1].Value.ShouldNotContain(password);
        harness.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("Provisioning.StepOutputs.v1").Unprotect(outputs[1].Value).ShouldBe(password);

        // The step's log (issue 15, point 4): every line with its stream, the secret masked, numbered per step and attempt.
        var lines = await LogAsync(db, workspace.Id);
        lines.ShouldContain(("make_bucket", 1, "execute", "stdout", $"created bucket b-{workspace.Id} with password ***"));
        lines.ShouldContain(("make_bucket", 1, "execute", "stderr", "a warning on stderr"));
        lines.ShouldContain(("make_bucket", 1, "execute", "portal", "exit code 0"));
        lines.ShouldContain(("configure", 1, "execute", "stdout", $"using bucket b-{workspace.Id} and password ***"));
        lines.ShouldNotContain(l => l.Line.Contains(password));
        (await db.StepLogLines.Where(l => l.WorkspaceId == workspace.Id && l.Step == "make_bucket").Select(l => l.Number).OrderBy(n => n).ToListAsync(TestContext.Current.CancellationToken))
            .ShouldBe([1, 2, 3]);
    }

    [Fact]
    public async Task AFailingCommand_FailsWithTheCodeItWrote_CompensationRunsWithPhaseCompensate_AndARetryResumesWithoutTheRetainedStep()
    {
        await using var harness = await StartAsync();
        var workspace = await CreateAsync(harness);
        Touch("fail");

        await harness.RunAsync(workspace.Id);

        var failed = await harness.LoadAsync(workspace.Id);
        failed.Status.ShouldBe(WorkspaceStatus.Error);
        failed.ErrorCode.ShouldBe(ErrorCatalogue.InsufficientResources);
        var password = File.ReadAllText(Path.Combine(_folder.FullName, "password.txt")).Trim();
        failed.ErrorTechnicalDetail.ShouldBe("The command exited with 3: no room for ***");
        failed.Step("check").ErrorDetails.ShouldNotBeNull().ShouldNotContain(password);
        // configure is undone (release); make_bucket is kept for the retry (retain): its compensate never runs.
        JournalLines().ShouldBe([
            "make_bucket execute attempt=1 retry=0", "configure execute attempt=1 retry=0", "check execute attempt=1 retry=0",
            "configure compensate attempt=1 retry=0"]);
        await using (var db = await harness.DbAsync())
        {
            // The undone step's outputs are gone with it; the kept step's stay for the retry.
            (await db.Outputs.Where(o => o.WorkspaceId == workspace.Id).Select(o => o.Step).Distinct().ToListAsync(TestContext.Current.CancellationToken))
                .ShouldBe(["make_bucket"]);
        }

        File.Delete(Path.Combine(_folder.FullName, "fail"));
        (await harness.Requests.RetryAsync(workspace.Id, "acme", "member@acme.test", TestContext.Current.CancellationToken)).Accepted.ShouldBeTrue();
        await harness.RunAsync(workspace.Id);

        (await harness.LoadAsync(workspace.Id)).Status.ShouldBe(WorkspaceStatus.Ready);
        JournalLines().Skip(4).ShouldBe(["configure execute attempt=2 retry=0", "check execute attempt=2 retry=0"]);
        // The retried step still sees the kept step's outputs, the secret one decrypted.
        File.ReadAllText(Path.Combine(_folder.FullName, "env-configure.txt")).ShouldContain($"PORTAL_OUT_PASSWORD={password}");
    }

    [Fact]
    public async Task ExitSeventyFive_IsTransient_AndRetriedWithTheStepsBackoffUntilItSucceeds()
    {
        await using var harness = await StartAsync();
        var workspace = await CreateAsync(harness);
        File.WriteAllText(Path.Combine(_folder.FullName, "tempfail"), "2");

        var waits = await harness.RunAsync(workspace.Id);

        (await harness.LoadAsync(workspace.Id)).Status.ShouldBe(WorkspaceStatus.Ready);
        waits.ShouldBe([TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(20)]);
        JournalLines().Where(l => l.StartsWith("check", StringComparison.Ordinal))
            .ShouldBe(["check execute attempt=1 retry=0", "check execute attempt=1 retry=1", "check execute attempt=1 retry=2"]);
        var events = await harness.EventsAsync(workspace.Id);
        events.Count(e => e.Type == WorkspaceEventTypes.StepRetryScheduled).ShouldBe(2);
    }

    [Fact]
    public async Task AStepPastItsTimeout_IsKilledWithItsWholeProcessTree_AndCountsAsATransientTimeout()
    {
        await using var harness = await StartAsync(new() { ["Provisioning:Retry:MaxAttempts"] = "1" });
        var workspace = await CreateAsync(harness);
        Touch("hang");
        var pidFile = Path.Combine(_folder.FullName, "sleeper.pid");

        // Time moves only once the command's own child is running, so the kill has a tree to kill.
        var run = harness.Engine.RunAsync(workspace.Id, TestContext.Current.CancellationToken);
        await Until(() => File.Exists(pidFile) && File.ReadAllText(pidFile).Trim().Length > 0, "the command started its child");
        harness.Time.Advance(TimeSpan.FromSeconds(6));
        await run.WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);

        var failed = await harness.LoadAsync(workspace.Id);
        failed.Status.ShouldBe(WorkspaceStatus.Error);
        failed.ErrorCode.ShouldBe(ErrorCatalogue.ConnectionTimeout);
        var sleeper = int.Parse(File.ReadAllText(pidFile).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        await Until(() => !IsAlive(sleeper), $"the command's child {sleeper} was killed");
        await using var db = await harness.DbAsync();
        (await LogAsync(db, workspace.Id)).ShouldContain(l => l.Stream == "portal" && l.Line.Contains("the command's processes were killed"));
    }

    [Fact]
    public async Task ThePortalStoppingMidStep_KillsTheCommand_AndTheNextRunRunsTheStepAgain()
    {
        await using var harness = await StartAsync();
        var workspace = await CreateAsync(harness);
        Touch("hang");
        var pidFile = Path.Combine(_folder.FullName, "sleeper.pid");

        // The host stops while check hangs: its command goes, the step stays running, nothing is failed.
        using (var stopping = new CancellationTokenSource())
        {
            var run = harness.Engine.RunAsync(workspace.Id, stopping.Token);
            await Until(() => File.Exists(pidFile) && File.ReadAllText(pidFile).Trim().Length > 0, "the command started its child");
            await stopping.CancelAsync();
            await Should.ThrowAsync<OperationCanceledException>(() => run.WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken));
        }

        var sleeper = int.Parse(File.ReadAllText(pidFile).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        await Until(() => !IsAlive(sleeper), $"the command's child {sleeper} was killed");
        var stopped = await harness.LoadAsync(workspace.Id);
        stopped.Status.ShouldBe(WorkspaceStatus.Provisioning);
        stopped.Step("check").Status.ShouldBe(StepStatus.Running);

        // The restart (the same engine, again) runs the running step again, and only it.
        File.Delete(Path.Combine(_folder.FullName, "hang"));
        await harness.RunAsync(workspace.Id);

        (await harness.LoadAsync(workspace.Id)).Status.ShouldBe(WorkspaceStatus.Ready);
        JournalLines().ShouldBe([
            "make_bucket execute attempt=1 retry=0", "configure execute attempt=1 retry=0",
            "check execute attempt=1 retry=0", "check execute attempt=1 retry=0"]);
    }

    [Fact]
    public async Task AReleaseWithAnArtifact_HandsItsCommandsThePathOfAVerifiedCopy()
    {
        await using var harness = await StartAsync();
        var artifact = "the release's bits"u8.ToArray();
        using (var content = new MemoryStream(artifact))
        {
            var (outcome, _, _) = await harness.Services.GetRequiredService<ReleaseCatalog>().PublishAsync("scripted@1.0.0", content, null, TestContext.Current.CancellationToken);
            outcome.ShouldBe(PublishOutcome.Published);
        }

        var workspace = await CreateAsync(harness);
        await harness.RunAsync(workspace.Id);

        var environment = File.ReadAllLines(Path.Combine(_folder.FullName, "env-configure.txt"));
        var path = environment.Single(l => l.StartsWith("PORTAL_ARTIFACT=", StringComparison.Ordinal))["PORTAL_ARTIFACT=".Length..];
        path.ShouldStartWith(Path.Combine(harness.DataDirectory, "workspaces", workspace.Id.ToString("N")));
        File.ReadAllBytes(path).ShouldBe(artifact);
    }

    [Fact]
    public async Task AChattyStep_KeepsAtMostTheConfiguredLines_WithAMarkerWhereTheRestWasDropped()
    {
        await using var harness = await StartAsync(new() { ["Provisioning:Logs:MaxLinesPerStep"] = "10" });
        var workspace = await CreateAsync(harness);
        Touch("chatty");

        await harness.RunAsync(workspace.Id);

        (await harness.LoadAsync(workspace.Id)).Status.ShouldBe(WorkspaceStatus.Ready);
        await using var db = await harness.DbAsync();
        var check = (await LogAsync(db, workspace.Id)).Where(l => l.Step == "check").ToList();
        check.Count.ShouldBe(10);
        check.Take(9).Select(l => l.Line).ShouldBe(Enumerable.Range(1, 9).Select(i => $"line {i}"));
        check[9].ShouldBe(("check", 1, "execute", "portal",
            "… later lines were dropped: at most 10 lines are kept per step and attempt (Provisioning:Logs:MaxLinesPerStep)"));
    }

    private static async Task<List<(string Step, int Attempt, string Phase, string Stream, string Line)>> LogAsync(ProvisioningDbContext db, Guid workspaceId) =>
        (await db.StepLogLines.Where(l => l.WorkspaceId == workspaceId).ToListAsync(TestContext.Current.CancellationToken))
            .OrderBy(l => l.Id).Select(l => (l.Step, l.Attempt, l.Phase, l.Stream, l.Line)).ToList();

    private async Task<ProvisioningHarness> StartAsync(Dictionary<string, string?>? settings = null)
    {
        File.WriteAllText(Path.Combine(_folder.FullName, "scripted.yaml"), Template);
        for (var i = 0; i < Scripts.Length; i += 2)
        {
            var path = Path.Combine(_folder.FullName, Scripts[i]);
            File.WriteAllText(path, Scripts[i + 1].ReplaceLineEndings("\n") + "\n");
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        settings ??= [];
        settings["Provisioning:Templates:Directory"] = _folder.FullName;
        var harness = await ProvisioningHarness.StartAsync(settings, provider);
        await harness.AddReleaseAsync("scripted", template: "scripted");
        return harness;
    }

    private static Task<Workspace> CreateAsync(ProvisioningHarness harness) => harness.CreateAsync("scripted@1.0.0", name: "scripted");

    private string[] JournalLines()
    {
        var journal = Path.Combine(_folder.FullName, "journal");
        return File.Exists(journal) ? File.ReadAllLines(journal) : [];
    }

    private void Touch(string file) => File.WriteAllText(Path.Combine(_folder.FullName, file), "");

    /// <summary>Alive and not a zombie waiting to be reaped.</summary>
    private static bool IsAlive(int pid)
    {
        var stat = $"/proc/{pid}/stat";
        try
        {
            return File.Exists(stat) && File.ReadAllText(stat).Split(") ")[1][0] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static async Task Until(Func<bool> condition, string what)
    {
        var deadline = TimeProvider.System.GetUtcNow() + TimeSpan.FromSeconds(30);
        while (!condition())
        {
            if (TimeProvider.System.GetUtcNow() > deadline)
            {
                throw new TimeoutException($"Not within 30 s: {what}.");
            }

            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
    }
}

[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class CommandStepTestsOnSqlite() : CommandStepTests(DatabaseProvider.Sqlite);

[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class CommandStepTestsOnPostgres() : CommandStepTests(DatabaseProvider.Postgres);
