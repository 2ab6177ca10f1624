using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Provisioning.Core.Errors;
using Provisioning.Core.Persistence;
using Provisioning.Core.Releases;
using Provisioning.Core.Simulator;
using Provisioning.Core.Steps;
using Provisioning.Core.Templates;
using Provisioning.Core.Workspaces;

namespace Provisioning.Core.Engine;

/// <summary>
/// Runs a workspace's active attempt from where it stands: while it is running, each step from the first
/// that has not succeeded, inside the retry pipeline; once a step has failed, compensation in reverse order
/// from the step it stands at, then <c>error</c>. Every transition is saved with its event (and the attempt's
/// phase) before the next begins, so a stop at any point resumes in the same phase (ADR-008).
/// </summary>
public sealed partial class ProvisioningEngine(
    IDbContextFactory<ProvisioningDbContext> dbFactory,
    TemplateCatalog templates,
    StepCatalog steps,
    StepOutputStore outputStore,
    StepRetryPolicy retryPolicy,
    IFaultInjector faults,
    TimeProvider time,
    ILogger<ProvisioningEngine> logger)
{
    /// <summary>Runs the active attempt (or the deletion) of the workspace to its end; does nothing when there is none.</summary>
    /// <remarks>
    /// Cancellation (the host stopping) leaves the attempt in its phase and its running step, or the step being
    /// compensated, as it is: the next start runs that step, or its compensation, again, which is why both are idempotent.
    /// </remarks>
    public async Task RunAsync(Guid workspaceId, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var workspace = await db.LoadWorkspaceAsync(workspaceId, cancellationToken);
        if (workspace is null)
        {
            return;
        }

        var run = await RunOfAsync(db, workspace, cancellationToken);
        if (workspace.Status == WorkspaceStatus.Deprovisioning)
        {
            await DeprovisionAsync(db, run, cancellationToken);
            return;
        }

        if (workspace.ActiveAttempt is not { } attempt)
        {
            return;
        }

        using var scope = logger.BeginScope(new Dictionary<string, object>
        {
            ["CorrelationId"] = attempt.CorrelationId,
            ["WorkspaceId"] = workspace.Id,
            ["Attempt"] = attempt.Number,
        });
        if (attempt.Phase == AttemptPhase.Running)
        {
            await RunForwardAsync(db, run, cancellationToken);
        }

        if (attempt.Phase == AttemptPhase.Compensating)
        {
            await CompensateAsync(db, run, cancellationToken);
            workspace.FailAttempt(time.GetUtcNow());
            await db.SaveChangesAsync(cancellationToken);
            LogAttemptFailed(attempt.ErrorCode!, attempt.FailedStep!);
        }
    }

    /// <summary>
    /// Ends the workspace's attempt or deletion in <c>error</c> with <c>internal_error</c>, because the portal could
    /// not carry it on (<paramref name="cause"/>); the requester and the tenant's admins are told as for any failure.
    /// Does nothing when the workspace is no longer being provisioned or deleted.
    /// </summary>
    public async Task AbandonAsync(Guid workspaceId, Exception cause, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var workspace = await db.LoadWorkspaceAsync(workspaceId, cancellationToken);
        if (workspace is null || workspace.Status is not (WorkspaceStatus.Provisioning or WorkspaceStatus.Deprovisioning))
        {
            return;
        }

        using var scope = logger.BeginScope(new Dictionary<string, object>
        {
            ["CorrelationId"] = workspace.CorrelationId ?? Guid.Empty,
            ["WorkspaceId"] = workspace.Id,
        });
        var what = workspace.Status == WorkspaceStatus.Deprovisioning ? "deletion" : $"attempt {workspace.ActiveAttempt?.Number}";
        workspace.Abandon(new ProvisioningError(ErrorCatalogue.InternalError, Describe(cause)), time.GetUtcNow());
        await db.SaveChangesAsync(cancellationToken);
        LogAbandoned(what, workspace.Id, workspace.CorrelationId, cause);
    }

    /// <summary>Runs the remaining steps; a step that fails for good turns the attempt to compensating, and this returns.</summary>
    private async Task RunForwardAsync(ProvisioningDbContext db, Run run, CancellationToken cancellationToken)
    {
        var workspace = run.Workspace;
        var resources = await db.Resources.Where(r => r.WorkspaceId == workspace.Id).ToListAsync(cancellationToken);
        var remaining = workspace.Steps.OrderBy(s => s.Order).Where(s => !s.HasSucceeded).Select(s => steps[run.Template, s.Name]).ToList();

        // Each commit ends one step and starts the next, so a stop leaves exactly one step running.
        if (remaining.Count > 0)
        {
            Begin(run, remaining[0], resources);
        }
        else
        {
            Complete(workspace, resources);
        }

        await db.SaveChangesAsync(cancellationToken);
        for (var i = 0; i < remaining.Count; i++)
        {
            var step = remaining[i];
            StepOutputs produced = StepOutputs.None;
            try
            {
                produced = await ExecuteWithRetriesAsync(db, run, step, cancellationToken);
            }
            catch (ProgressNotSavedException e)
            {
                // Nothing of the retry was written: the step stays running, and the job's bounded resume takes over,
                // with the original exception (a lost race for the workspace is told apart there).
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerException!);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                var error = ProvisioningError.From(e);
                LogStepFailed(step.Name, error.Code, workspace.Step(step.Name).RetryCount, e);
                workspace.FailStep(step.Name, error, time.GetUtcNow());
                await db.SaveChangesAsync(cancellationToken);
                return;
            }

            // What the step produced is saved with its success, in one commit.
            outputStore.Keep(db, run.Outputs, workspace.Id, step.Name, produced, time.GetUtcNow());
            workspace.CompleteStep(step.Name, time.GetUtcNow());
            if (i + 1 < remaining.Count)
            {
                Begin(run, remaining[i + 1], resources);
            }
            else
            {
                Complete(workspace, resources);
            }

            await db.SaveChangesAsync(cancellationToken);
        }

        LogAttemptSucceeded();
    }

    /// <summary>Starts a step and records what it is about to create, in the same commit.</summary>
    private void Begin(Run run, IProvisioningStep step, List<Resource> resources)
    {
        var workspace = run.Workspace;
        var now = time.GetUtcNow();
        workspace.StartStep(step.Name, now);
        // What a step will make is named from the workspace alone: no outputs (nor their decryption) needed here.
        foreach (var planned in step.Resources(Context(run, step.Name, CancellationToken.None, StepOutputs.None)))
        {
            var known = resources.Find(r => r.Step == step.Name && r.Kind == planned.Kind && r.ExternalId == planned.ExternalId);
            if (known is null)
            {
                resources.Add(workspace.PlanResource(step.Name, planned.Kind, planned.ExternalId, now));
            }
            else if (known.State != ResourceState.Active)
            {
                known.MoveTo(ResourceState.Active, now);
            }
        }
    }

    private void Complete(Workspace workspace, List<Resource> resources)
    {
        // What an earlier attempt kept on purpose is in use again.
        foreach (var retained in resources.Where(r => r.State == ResourceState.Retained))
        {
            retained.MoveTo(ResourceState.Active, time.GetUtcNow());
        }

        workspace.CompleteAttempt(time.GetUtcNow());
    }

    /// <summary>Runs the step's tries; returns what the successful one produced (a failed try's outputs count for nothing).</summary>
    private async Task<StepOutputs> ExecuteWithRetriesAsync(ProvisioningDbContext db, Run run, IProvisioningStep step, CancellationToken cancellationToken)
    {
        var workspace = run.Workspace;
        var record = workspace.Step(step.Name);
        var context = Context(run, step.Name, cancellationToken);
        var produced = context.Outputs;

        // After a restart during a backoff, wait out what is left of it before trying again.
        if (record.NextRetryAt is { } due && due > time.GetUtcNow())
        {
            await Task.Delay(due - time.GetUtcNow(), time, cancellationToken);
        }

        var maxAttempts = retryPolicy.MaxAttempts(step.Name);
        await retryPolicy.ExecuteAsync(step.Name, run.Template.Step(step.Name)?.Timeout, record.RetryCount, async retry =>
        {
            workspace.ScheduleStepRetry(step.Name, retry.Error, retry.Delay, maxAttempts, time.GetUtcNow());
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                // The portal's failure, not the step's: it must not fail the step (see RunForwardAsync).
                throw new ProgressNotSavedException(e);
            }

            LogRetryScheduled(step.Name, retry.Error.Code, retry.RetryNumber + 1, maxAttempts, retry.Delay.TotalSeconds);
        }, async token =>
        {
            await faults.BeforeAsync(step.Name, FaultPhase.Execute, token);
            produced = context.Outputs.ForTry();
            await step.ExecuteAsync(context with { RetryCount = record.RetryCount, Outputs = produced, CancellationToken = token });
        }, cancellationToken);
        return produced;
    }

    /// <summary>
    /// Walks back from the step compensation stands at (the failed step, to begin with): a step that retains keeps
    /// its resources for the retry; a step that releases is compensated and will run again. Each outcome is its own
    /// commit and moves the attempt on to the step before, so after a stop no step is compensated twice, except the
    /// one that was being compensated. A compensation that fails leaves its resources orphaned, for a platform admin,
    /// and is logged at Critical (AC-3.6.4).
    /// </summary>
    private async Task CompensateAsync(ProvisioningDbContext db, Run run, CancellationToken cancellationToken)
    {
        var workspace = run.Workspace;
        while (workspace.ActiveAttempt!.CompensatingStep is { } name)
        {
            var record = workspace.Step(name);
            var step = steps[run.Template, name];
            var resources = await ResourcesAsync(db, workspace.Id, name, ResourceState.Active, cancellationToken);
            if (record.Status == StepStatus.Pending || (step.OnFailure == ResourcePolicy.Retain && resources.Count == 0))
            {
                // Did not run in this attempt, or keeps nothing: nothing to undo or record.
                workspace.SkipCompensation(name);
                continue;
            }

            if (step.OnFailure == ResourcePolicy.Retain)
            {
                workspace.RetainStep(name, resources, time.GetUtcNow());
                await db.SaveChangesAsync(cancellationToken);
                LogRetained(name, resources.Count);
                continue;
            }

            await UndoStepAsync(db, run, step, resources,
                () => workspace.RevertStep(name, resources, time.GetUtcNow()), cancellationToken);
        }
    }

    /// <summary>
    /// Deleting a workspace releases everything, retained resources included, then marks it deleted. A step whose
    /// resources are released goes back to pending in the same commit, so after a stop the deletion carries on with
    /// the steps still holding something, and releases nothing twice.
    /// </summary>
    private async Task DeprovisionAsync(ProvisioningDbContext db, Run run, CancellationToken cancellationToken)
    {
        var workspace = run.Workspace;
        using var scope = logger.BeginScope(new Dictionary<string, object>
        {
            ["CorrelationId"] = workspace.CorrelationId ?? Guid.Empty,
            ["WorkspaceId"] = workspace.Id,
        });
        foreach (var record in workspace.Steps.OrderByDescending(s => s.Order).ToList())
        {
            var step = steps[run.Template, record.Name];
            var resources = (await ResourcesAsync(db, workspace.Id, step.Name, ResourceState.Active, cancellationToken))
                .Concat(await ResourcesAsync(db, workspace.Id, step.Name, ResourceState.Retained, cancellationToken))
                .ToList();
            if (record.Status == StepStatus.Pending && resources.Count == 0)
            {
                continue;
            }

            await UndoStepAsync(db, run, step, resources,
                () => workspace.ReleaseStepResources(step.Name, resources, time.GetUtcNow()), cancellationToken);
        }

        workspace.MarkDeleted(time.GetUtcNow());
        await db.SaveChangesAsync(cancellationToken);
        LogDeleted();
    }

    /// <summary>
    /// A platform admin's second try at a compensation that failed. Returns null when the resource is not
    /// orphaned; otherwise the resource and, when the cleanup failed again, why.
    /// </summary>
    public async Task<(Resource Resource, string? Error)?> RetryCleanupAsync(Guid resourceId, string actor, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var orphan = await db.Resources.SingleOrDefaultAsync(r => r.Id == resourceId && r.State == ResourceState.Orphaned, cancellationToken);
        if (orphan is null)
        {
            return null;
        }

        var workspace = (await db.LoadWorkspaceAsync(orphan.WorkspaceId, cancellationToken))!;
        Run run;
        try
        {
            run = await RunOfAsync(db, workspace, cancellationToken);
        }
        catch (ProvisioningException e)
        {
            // Its template is no longer loaded: nothing knows how to clean up; the resource stays orphaned, and says why.
            return (orphan, e.Message);
        }

        var step = steps[run.Template, orphan.Step];
        var orphans = await ResourcesAsync(db, workspace.Id, step.Name, ResourceState.Orphaned, cancellationToken);
        using var scope = logger.BeginScope(new Dictionary<string, object>
        {
            ["CorrelationId"] = workspace.CorrelationId ?? Guid.Empty,
            ["WorkspaceId"] = workspace.Id,
        });
        try
        {
            await faults.BeforeAsync(step.Name, FaultPhase.Compensate, cancellationToken);
            await step.CompensateAsync(Context(run, step.Name, cancellationToken));
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            var error = $"{e.GetType().Name}: {e.Message}";
            orphan.MoveTo(ResourceState.Orphaned, time.GetUtcNow(), error);
            await db.SaveChangesAsync(cancellationToken);
            LogCompensationFailed(step.Name, workspace.Id, workspace.CorrelationId, e);
            return (orphan, error);
        }

        outputStore.Forget(db, run.Outputs, step.Name);
        workspace.CleanOrphans(step.Name, orphans, actor, time.GetUtcNow());
        await db.SaveChangesAsync(cancellationToken);
        LogReleased(step.Name, orphans.Count);
        return (orphan, null);
    }

    private async Task UndoStepAsync(
        ProvisioningDbContext db, Run run, IProvisioningStep step, IReadOnlyList<Resource> resources, Action recordUndone, CancellationToken cancellationToken)
    {
        var workspace = run.Workspace;
        try
        {
            await faults.BeforeAsync(step.Name, FaultPhase.Compensate, cancellationToken);
            await step.CompensateAsync(Context(run, step.Name, cancellationToken));
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            LogCompensationFailed(step.Name, workspace.Id, workspace.CorrelationId, e);
            workspace.OrphanStepResources(step.Name, resources, $"{e.GetType().Name}: {e.Message}", time.GetUtcNow());
            await db.SaveChangesAsync(cancellationToken);
            return;
        }

        // Outside the catch: failing to save is the engine's failure, not the infrastructure's, and orphans nothing.
        outputStore.Forget(db, run.Outputs, step.Name);
        recordUndone();
        await db.SaveChangesAsync(cancellationToken);
        LogReleased(step.Name, resources.Count);
    }

    /// <summary>What the tenant admins read of an exception the engine could not get past: its type and message, inner ones included.</summary>
    private static string Describe(Exception exception)
    {
        var parts = new List<string>();
        for (var e = exception; e is not null; e = e.InnerException)
        {
            parts.Add($"{e.GetType().Name}: {e.Message}");
        }

        return string.Join(" ---> ", parts);
    }

    private static Task<List<Resource>> ResourcesAsync(ProvisioningDbContext db, Guid workspaceId, string step, ResourceState state, CancellationToken cancellationToken) =>
        db.Resources.Where(r => r.WorkspaceId == workspaceId && r.Step == step && r.State == state).ToListAsync(cancellationToken);

    /// <summary>What a run of the engine on one workspace works with: its release, template and outputs so far.</summary>
    private async Task<Run> RunOfAsync(ProvisioningDbContext db, Workspace workspace, CancellationToken cancellationToken)
    {
        var release = await db.Releases.AsNoTracking().SingleAsync(r => r.Id == workspace.ReleaseId, cancellationToken);
        return new Run(workspace, release, templates.Get(release.Template), await outputStore.LoadAsync(db, workspace.Id, cancellationToken));
    }

    /// <param name="outputs">What the step sees of earlier steps' outputs; by default all of them, secret ones decrypted.</param>
    private StepContext Context(Run run, string step, CancellationToken cancellationToken, StepOutputs? outputs = null)
    {
        var workspace = run.Workspace;
        return new(workspace.Id, workspace.TenantId, workspace.Name, workspace.Cpu, workspace.MemoryGb, run.Release, run.Template,
            workspace.CorrelationId ?? Guid.Empty, step, workspace.Step(step).StartedAt ?? default,
            (workspace.ActiveAttempt ?? workspace.LatestAttempt)?.Number ?? 0, workspace.Step(step).RetryCount,
            outputs ?? outputStore.For(run.Outputs), cancellationToken);
    }

    private sealed record Run(Workspace Workspace, Release Release, ProvisioningTemplate Template, List<WorkspaceOutput> Outputs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Step {Step} failed with {ErrorCode} after {RetryCount} retries")]
    private partial void LogStepFailed(string step, string errorCode, int retryCount, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Step {Step} failed with transient {ErrorCode}; try {NextAttempt}/{MaxAttempts} in {DelaySeconds}s")]
    private partial void LogRetryScheduled(string step, string errorCode, int nextAttempt, int maxAttempts, double delaySeconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Compensation released {Count} resources of step {Step}")]
    private partial void LogReleased(string step, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Compensation retained {Count} resources of step {Step} for the retry")]
    private partial void LogRetained(string step, int count);

    [LoggerMessage(Level = LogLevel.Critical, Message = "CRITICAL: compensation of step {Step} failed for workspace {WorkspaceId}; its resources are orphaned and need manual cleanup. Correlation: {CorrelationId}")]
    private partial void LogCompensationFailed(string step, Guid workspaceId, Guid? correlationId, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Provisioning failed with {ErrorCode} at step {Step}")]
    private partial void LogAttemptFailed(string errorCode, string step);

    [LoggerMessage(Level = LogLevel.Critical, Message = "CRITICAL: the portal could not carry on the {What} of workspace {WorkspaceId} and gave up: it is now in error with internal_error and can be retried or deleted. Correlation: {CorrelationId}")]
    private partial void LogAbandoned(string what, Guid workspaceId, Guid? correlationId, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Workspace deleted")]
    private partial void LogDeleted();

    [LoggerMessage(Level = LogLevel.Information, Message = "Provisioning succeeded")]
    private partial void LogAttemptSucceeded();
}

/// <summary>A step's retry could not be recorded: the database failed, not the infrastructure the step talks to.</summary>
internal sealed class ProgressNotSavedException(Exception inner) : Exception("The step's retry could not be saved.", inner);
