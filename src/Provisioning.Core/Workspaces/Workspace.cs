using System.Text.Json;
using Provisioning.Core.Errors;

namespace Provisioning.Core.Workspaces;

/// <summary>
/// A requested workspace and the aggregate that keeps its status, attempts and steps in agreement.
/// Status only changes through these methods, together with the attempt and step records, and every
/// change records an event that is saved in the same transaction (see <see cref="EnsureConsistent"/>).
/// </summary>
public sealed class Workspace
{
    internal static readonly JsonSerializerOptions PayloadJson = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    private readonly List<ProvisioningStep> _steps = [];
    private readonly List<ProvisioningAttempt> _attempts = [];
    private readonly List<WorkspaceEvent> _pendingEvents = [];
    private readonly List<Resource> _plannedResources = [];

    private Workspace()
    {
    }

    public Guid Id { get; private set; }

    public string TenantId { get; private set; } = "";

    public string RequestedBy { get; private set; } = "";

    public string Name { get; private set; } = "";

    public string ReleaseId { get; private set; } = "";

    public int Cpu { get; private set; }

    public int MemoryGb { get; private set; }

    public WorkspaceStatus Status { get; private set; }

    public string? ErrorCode { get; private set; }

    /// <summary>What the user is told: the catalogue's message for <see cref="ErrorCode"/>.</summary>
    public string? ErrorDetail { get; private set; }

    /// <summary>Exception text and context, for tenant admins only.</summary>
    public string? ErrorTechnicalDetail { get; private set; }

    /// <summary>Correlation id of the current (or last) attempt.</summary>
    public Guid? CorrelationId { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset UpdatedAt { get; private set; }

    /// <summary>
    /// How many times the workspace, its steps, attempts or resources were saved. Each save writes it on the condition
    /// that it still holds what the writer read, so of two writers that read the same state (two nodes on one attempt,
    /// the engine and an admin's request) only the first commits, and the other can write nothing more from what it read.
    /// </summary>
    public long Revision { get; private set; }

    public WorkspaceSize Size => new(Cpu, MemoryGb);

    public IReadOnlyList<ProvisioningStep> Steps => _steps;

    public IReadOnlyList<ProvisioningAttempt> Attempts => _attempts;

    public ProvisioningAttempt? ActiveAttempt => _attempts.SingleOrDefault(a => a.IsActive);

    public ProvisioningAttempt? LatestAttempt => _attempts.MaxBy(a => a.Number);

    internal IReadOnlyList<WorkspaceEvent> PendingEvents => _pendingEvents;

    /// <summary>Resources recorded since the last save; saved with it.</summary>
    internal IReadOnlyList<Resource> PlannedResources => _plannedResources;

    /// <summary>A new workspace, its plan's steps all pending, with its first attempt started.</summary>
    public static Workspace Request(
        string tenantId, string requestedBy, string name, string releaseId, WorkspaceSize size,
        IEnumerable<string> planSteps, DateTimeOffset now)
    {
        var workspace = new Workspace
        {
            Id = Guid.CreateVersion7(now),
            TenantId = tenantId,
            RequestedBy = requestedBy,
            Name = name,
            ReleaseId = releaseId,
            Cpu = size.Cpu,
            MemoryGb = size.MemoryGb,
            CreatedAt = now,
            UpdatedAt = now,
        };
        var order = 0;
        foreach (var step in planSteps)
        {
            workspace._steps.Add(new ProvisioningStep(workspace.Id, step, order++, now));
        }

        workspace.Record(WorkspaceEventTypes.Requested, requestedBy, now, new
        {
            name,
            release_id = releaseId,
            cpu = size.Cpu,
            memory_gb = size.MemoryGb,
        });
        workspace.StartAttempt(AttemptTrigger.Create, requestedBy, now);
        return workspace;
    }

    /// <summary>Starts a new attempt; whatever has not succeeded runs again. Valid for a new workspace or one in error.</summary>
    public ProvisioningAttempt StartAttempt(AttemptTrigger trigger, string actor, DateTimeOffset now)
    {
        if (ActiveAttempt is not null)
        {
            throw new InvalidOperationException($"Workspace {Id} already has an active attempt.");
        }

        if (trigger == AttemptTrigger.Retry && Status != WorkspaceStatus.Error)
        {
            throw new InvalidOperationException($"Workspace {Id} is {Status}; only a workspace in error can be retried.");
        }

        var attempt = new ProvisioningAttempt(Id, _attempts.Count + 1, trigger, actor, now);
        _attempts.Add(attempt);
        foreach (var step in _steps)
        {
            step.PrepareForAttempt();
        }

        Status = WorkspaceStatus.Provisioning;
        ErrorCode = null;
        ErrorDetail = null;
        ErrorTechnicalDetail = null;
        CorrelationId = attempt.CorrelationId;
        Touch(now);
        Record(WorkspaceEventTypes.AttemptStarted, actor, now, new
        {
            attempt = attempt.Number,
            trigger = trigger.ToString().ToLowerInvariant(),
            resume_from = _steps.FirstOrDefault(s => !s.HasSucceeded)?.Name,
        });
        return attempt;
    }

    public ProvisioningStep Step(string name) =>
        _steps.SingleOrDefault(s => s.Name == name)
        ?? throw new InvalidOperationException($"Workspace {Id} has no step '{name}'.");

    /// <summary>
    /// Starts (or, after a stop, starts again) a step of the running attempt. A step that failed is never
    /// started again within its attempt: once one fails, the attempt only compensates.
    /// </summary>
    public void StartStep(string name, DateTimeOffset now)
    {
        RequirePhase(AttemptPhase.Running);
        var step = Step(name);
        if (step.Status == StepStatus.Failed)
        {
            throw new InvalidOperationException($"Workspace {Id}: step '{name}' failed in this attempt and cannot start again.");
        }

        step.Start(now);
        Touch(now);
        Record(WorkspaceEventTypes.StepStarted, "engine", now, new { step = name, retry_count = step.RetryCount });
    }

    public void ScheduleStepRetry(string name, ProvisioningError error, TimeSpan delay, int maxAttempts, DateTimeOffset now)
    {
        RequirePhase(AttemptPhase.Running);
        var step = Step(name);
        step.ScheduleRetry(error, now + delay, ErrorDetailsJson(error, step.RetryCount + 1));
        Touch(now);
        Record(WorkspaceEventTypes.StepRetryScheduled, "engine", now, new
        {
            step = name,
            error_code = error.Code,
            error_message = error.UserMessage,
            technical_detail = error.TechnicalDetail,
            attempt = step.RetryCount + 1,
            max_attempts = maxAttempts,
            delay_seconds = delay.TotalSeconds,
            next_retry_at = step.NextRetryAt,
        });
    }

    /// <summary>Records a resource a running step is about to create.</summary>
    public Resource PlanResource(string step, string kind, string externalId, DateTimeOffset now)
    {
        RequirePhase(AttemptPhase.Running);
        var resource = new Resource(Id, step, kind, externalId, now);
        _plannedResources.Add(resource);
        return resource;
    }

    public void CompleteStep(string name, DateTimeOffset now)
    {
        RequirePhase(AttemptPhase.Running);
        var step = Step(name);
        step.Succeed(now);
        Touch(now);
        Record(WorkspaceEventTypes.StepSucceeded, "engine", now, new
        {
            step = name,
            retry_count = step.RetryCount,
            duration_ms = step.StartedAt is { } started ? (long)(now - started).TotalMilliseconds : 0,
        });
    }

    /// <summary>
    /// A step failed for good: the attempt turns to compensating, starting with this step, in the same commit
    /// as <c>step.failed</c>. Whoever resumes the attempt from here compensates; nothing runs forward again.
    /// </summary>
    public void FailStep(string name, ProvisioningError error, DateTimeOffset now)
    {
        RequirePhase(AttemptPhase.Running);
        var step = Step(name);
        step.Fail(error, now, ErrorDetailsJson(error, step.RetryCount + 1));
        ActiveAttempt!.BeginCompensation(name, error);
        Touch(now);
        Record(WorkspaceEventTypes.StepFailed, "engine", now, new
        {
            step = name,
            error_code = error.Code,
            error_message = step.ErrorMessage,
            technical_detail = error.TechnicalDetail,
            retry_count = step.RetryCount,
        });
    }

    /// <summary>Compensation released this step's resources: a later attempt must run it again.</summary>
    public void RevertStep(string name, IReadOnlyList<Resource> released, DateTimeOffset now)
    {
        var step = Step(name);
        PassCompensation(name);
        if (step.Status != StepStatus.Failed)
        {
            step.Revert();
        }

        foreach (var resource in released)
        {
            resource.MoveTo(ResourceState.Released, now);
        }

        Touch(now);
        Record(WorkspaceEventTypes.ResourceReleased, "engine", now, new
        {
            step = name,
            resources = released.Select(r => new { r.Kind, r.ExternalId }).ToArray(),
        });
    }

    /// <summary>Compensation keeps this step's resources on purpose, so a retry reuses them.</summary>
    public void RetainStep(string name, IReadOnlyList<Resource> retained, DateTimeOffset now)
    {
        PassCompensation(name);
        foreach (var resource in retained)
        {
            resource.MoveTo(ResourceState.Retained, now);
        }

        Touch(now);
        Record(WorkspaceEventTypes.ResourceRetained, "engine", now, new
        {
            step = name,
            resources = retained.Select(r => new { r.Kind, r.ExternalId }).ToArray(),
        });
    }

    /// <summary>
    /// Compensation moves past a step with nothing to undo or keep (it did not run in this attempt, or keeps
    /// nothing). No event: the next commit carries the move, and doing it again after a stop changes nothing.
    /// </summary>
    public void SkipCompensation(string name) => PassCompensation(name);

    /// <summary>
    /// Deleting the workspace released this step's resources. The step goes back to pending, so a workspace
    /// whose deletion could not finish (<see cref="Abandon"/>) and is then retried builds it again.
    /// </summary>
    public void ReleaseStepResources(string name, IReadOnlyList<Resource> released, DateTimeOffset now)
    {
        RequireStatus(WorkspaceStatus.Deprovisioning);
        Step(name).Revert();
        foreach (var resource in released)
        {
            resource.MoveTo(ResourceState.Released, now);
        }

        Touch(now);
        Record(WorkspaceEventTypes.ResourceReleased, "engine", now, new
        {
            step = name,
            resources = released.Select(r => new { r.Kind, r.ExternalId }).ToArray(),
        });
    }

    /// <summary>A platform admin's cleanup of orphaned resources succeeded.</summary>
    public void CleanOrphans(string name, IReadOnlyList<Resource> cleaned, string actor, DateTimeOffset now)
    {
        foreach (var resource in cleaned)
        {
            resource.MoveTo(ResourceState.Released, now);
        }

        Touch(now);
        Record(WorkspaceEventTypes.OrphanCleaned, actor, now, new
        {
            step = name,
            resources = cleaned.Select(r => new { r.Kind, r.ExternalId }).ToArray(),
        });
    }

    /// <summary>
    /// Compensation (or deletion) of this step failed: its resources are orphaned for a platform admin. The
    /// step still goes back to pending (unless it is the failed one), so a retry runs it again and, being
    /// idempotent, finds and reclaims what is left.
    /// </summary>
    public void OrphanStepResources(string name, IReadOnlyList<Resource> orphaned, string error, DateTimeOffset now)
    {
        var step = Step(name);
        if (Status == WorkspaceStatus.Provisioning)
        {
            PassCompensation(name);
        }
        else
        {
            RequireStatus(WorkspaceStatus.Deprovisioning);
        }

        if (step.Status != StepStatus.Failed || Status == WorkspaceStatus.Deprovisioning)
        {
            step.Revert();
        }

        foreach (var resource in orphaned)
        {
            resource.MoveTo(ResourceState.Orphaned, now, error);
        }

        Touch(now);
        Record(WorkspaceEventTypes.CompensationFailed, "engine", now, new
        {
            step = name,
            technical_detail = error,
            resources = orphaned.Select(r => new { r.Kind, r.ExternalId }).ToArray(),
        });
    }

    public void CompleteAttempt(DateTimeOffset now)
    {
        RequirePhase(AttemptPhase.Running);
        var attempt = ActiveAttempt!;
        attempt.Succeed(now);
        Status = WorkspaceStatus.Ready;
        Touch(now);
        Record(WorkspaceEventTypes.Succeeded, "engine", now, new
        {
            attempt = attempt.Number,
            trigger = attempt.Trigger.ToString().ToLowerInvariant(),
        });
    }

    /// <summary>
    /// Compensation has visited every step: the attempt ends failed with the error it began compensating for,
    /// the workspace goes to <c>error</c>, and <c>provisioning.failed</c> records what the user and the admins
    /// are told (AC-3.6.2).
    /// </summary>
    public void FailAttempt(DateTimeOffset now)
    {
        RequirePhase(AttemptPhase.Compensating);
        var attempt = ActiveAttempt!;
        if (attempt.CompensatingStep is { } pending)
        {
            throw new InvalidOperationException($"Workspace {Id}: compensation has not finished; it is at step '{pending}'.");
        }

        var error = attempt.Error!;
        var step = Step(attempt.FailedStep!);
        var message = step.MessageOnceFailed(error);
        attempt.Fail(now);
        ShowError(error, message);
        Touch(now);
        Record(WorkspaceEventTypes.Failed, "engine", now, new
        {
            error_code = error.Code,
            error_message = message,
            technical_detail = error.TechnicalDetail,
            step = step.Name,
            attempt = attempt.Number,
            retry_count = step.RetryCount,
            last_attempt_at = now,
        });
    }

    /// <summary>
    /// The portal could not carry on the attempt or the deletion (a bug, a state the engine does not accept):
    /// instead of trying without end, the workspace ends in <c>error</c> with <paramref name="error"/>
    /// (<c>internal_error</c>), wherever it stood, so it can be retried or deleted. A step left running goes back
    /// to pending: the retry runs it again, as after any stop.
    /// </summary>
    public void Abandon(ProvisioningError error, DateTimeOffset now)
    {
        var deleting = Status == WorkspaceStatus.Deprovisioning;
        if (!deleting)
        {
            RequireStatus(WorkspaceStatus.Provisioning);
        }

        foreach (var step in _steps.Where(s => s.Status == StepStatus.Running))
        {
            step.Revert();
        }

        // At most one step may stay failed in error: the earliest, which a retry starts from anyway.
        foreach (var step in _steps.Where(s => s.Status == StepStatus.Failed).OrderBy(s => s.Order).Skip(1))
        {
            step.Revert();
        }

        var attempt = ActiveAttempt;
        attempt?.Abandon(error, now);
        ShowError(error, error.UserMessage);
        Touch(now);
        Record(deleting ? WorkspaceEventTypes.DeprovisioningFailed : WorkspaceEventTypes.Failed, "engine", now, new
        {
            error_code = error.Code,
            error_message = error.UserMessage,
            technical_detail = error.TechnicalDetail,
            step = attempt?.FailedStep,
            attempt = attempt?.Number,
            retry_count = 0,
            last_attempt_at = now,
        });
    }

    /// <summary>
    /// A workspace in error is given another size for its retry (issue 22, point 8: "try a smaller size"), recorded with
    /// who changed it from what. The retry then resumes at the failed step with the new size.
    /// </summary>
    public void Resize(WorkspaceSize size, string actor, DateTimeOffset now)
    {
        RequireStatus(WorkspaceStatus.Error);
        if (size == Size)
        {
            return;
        }

        Record(WorkspaceEventTypes.Resized, actor, now, new
        {
            from_cpu = Cpu,
            from_memory_gb = MemoryGb,
            cpu = size.Cpu,
            memory_gb = size.MemoryGb,
        });
        Cpu = size.Cpu;
        MemoryGb = size.MemoryGb;
        Touch(now);
    }

    /// <summary>A retry refused before it started (the release is still unavailable): stays in error with fresh details.</summary>
    public void RejectRetry(ProvisioningError error, string actor, DateTimeOffset now)
    {
        if (Status != WorkspaceStatus.Error)
        {
            throw new InvalidOperationException($"Workspace {Id} is {Status}, not in error.");
        }

        ErrorCode = error.Code;
        ErrorDetail = error.UserMessage;
        ErrorTechnicalDetail = error.TechnicalDetail;
        Touch(now);
        Record(WorkspaceEventTypes.RetryRejected, actor, now, new
        {
            error_code = error.Code,
            error_message = error.UserMessage,
            technical_detail = error.TechnicalDetail,
        });
    }

    public void BeginDeprovisioning(string actor, DateTimeOffset now)
    {
        if (Status is WorkspaceStatus.Provisioning or WorkspaceStatus.Deleted)
        {
            throw new InvalidOperationException($"Workspace {Id} is {Status}; it cannot be deleted now.");
        }

        Status = WorkspaceStatus.Deprovisioning;
        Touch(now);
        Record(WorkspaceEventTypes.DeprovisioningStarted, actor, now, new { });
    }

    public void MarkDeleted(DateTimeOffset now)
    {
        if (Status != WorkspaceStatus.Deprovisioning)
        {
            throw new InvalidOperationException($"Workspace {Id} is {Status}, not deprovisioning.");
        }

        Status = WorkspaceStatus.Deleted;
        Touch(now);
        Record(WorkspaceEventTypes.Deleted, "engine", now, new { });
    }

    public void Record(string type, string actor, DateTimeOffset now, object payload) =>
        _pendingEvents.Add(new WorkspaceEvent(Id, TenantId, type, now, actor, CorrelationId,
            JsonSerializer.Serialize(payload, PayloadJson)));

    internal void ClearPendingEvents()
    {
        _pendingEvents.Clear();
        _plannedResources.Clear();
    }

    /// <summary>
    /// The one rule that keeps <see cref="Status"/> from drifting away from the attempts and steps
    /// (seed 001's bug). Checked before every save of a workspace.
    /// </summary>
    public void EnsureConsistent()
    {
        var active = _attempts.Where(a => a.IsActive).ToList();
        var failed = _steps.Count(s => s.Status == StepStatus.Failed);
        var running = _steps.Count(s => s.Status == StepStatus.Running);
        var phase = active.Count == 1 ? active[0].Phase : (AttemptPhase?)null;
        var problem = Status switch
        {
            _ when active.Count > 1 => "more than one active attempt",
            _ when _attempts.Any(a => a.IsActive != (a.Phase is AttemptPhase.Running or AttemptPhase.Compensating))
                => "an attempt whose phase disagrees with whether it has finished",
            WorkspaceStatus.Provisioning when phase is null => "provisioning without an active attempt",
            WorkspaceStatus.Provisioning when phase == AttemptPhase.Running && failed != 0 => "a failed step in an attempt still running forward",
            WorkspaceStatus.Provisioning when phase == AttemptPhase.Running && running > 1 => "more than one running step",
            WorkspaceStatus.Provisioning when phase == AttemptPhase.Compensating && failed != 1 => "compensating without exactly one failed step",
            WorkspaceStatus.Provisioning when phase == AttemptPhase.Compensating && running != 0 => "a step running beside a failed one",
            not WorkspaceStatus.Provisioning when phase is not null => $"{Status} with an active attempt",
            not WorkspaceStatus.Provisioning when running != 0 => $"{Status} with a running step",
            WorkspaceStatus.Ready when _steps.Any(s => !s.HasSucceeded) => "ready with unfinished steps",
            WorkspaceStatus.Ready when ErrorCode is not null => "ready with an error",
            WorkspaceStatus.Error when ErrorCode is null => "error without an error code",
            // A failure names its step; only when the portal gave up (internal_error) may no step have failed.
            WorkspaceStatus.Error when failed > 1 || (failed == 0 && ErrorCode != ErrorCatalogue.InternalError)
                => "error without exactly one failed step",
            _ => null,
        };
        if (problem is not null)
        {
            throw new InvalidOperationException($"Workspace {Id} would become inconsistent: {problem}.");
        }
    }

    private static string ErrorDetailsJson(ProvisioningError error, int attempt) =>
        JsonSerializer.Serialize(new { code = error.Code, technical_detail = error.TechnicalDetail, attempt }, PayloadJson);

    private void RequireStatus(WorkspaceStatus status)
    {
        if (Status != status)
        {
            throw new InvalidOperationException($"Workspace {Id} is {Status}, not {status}.");
        }
    }

    private void RequirePhase(AttemptPhase phase)
    {
        RequireStatus(WorkspaceStatus.Provisioning);
        if (ActiveAttempt is not { } attempt || attempt.Phase != phase)
        {
            throw new InvalidOperationException($"Workspace {Id}'s attempt is {ActiveAttempt?.Phase.ToString() ?? "missing"}, not {phase}.");
        }
    }

    /// <summary>Compensation is done with <paramref name="name"/>, which must be where it stands; it moves to the step before.</summary>
    private void PassCompensation(string name)
    {
        RequirePhase(AttemptPhase.Compensating);
        var attempt = ActiveAttempt!;
        if (attempt.CompensatingStep != name)
        {
            throw new InvalidOperationException(
                $"Workspace {Id}: compensation is at step '{attempt.CompensatingStep ?? "(done)"}', not '{name}'.");
        }

        var order = Step(name).Order;
        attempt.CompensationReached(_steps.Where(s => s.Order < order).MaxBy(s => s.Order)?.Name);
    }

    private void ShowError(ProvisioningError error, string message)
    {
        Status = WorkspaceStatus.Error;
        ErrorCode = error.Code;
        ErrorDetail = message;
        ErrorTechnicalDetail = error.TechnicalDetail;
    }

    private void Touch(DateTimeOffset now) => UpdatedAt = now;
}
