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

    public void StartStep(string name, DateTimeOffset now)
    {
        RequireProvisioning();
        var step = Step(name);
        step.Start(now);
        Touch(now);
        Record(WorkspaceEventTypes.StepStarted, "engine", now, new { step = name, retry_count = step.RetryCount });
    }

    public void ScheduleStepRetry(string name, ProvisioningError error, TimeSpan delay, int maxAttempts, DateTimeOffset now)
    {
        RequireProvisioning();
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
        RequireProvisioning();
        var resource = new Resource(Id, step, kind, externalId, now);
        _plannedResources.Add(resource);
        return resource;
    }

    public void CompleteStep(string name, DateTimeOffset now)
    {
        RequireProvisioning();
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

    public void FailStep(string name, ProvisioningError error, DateTimeOffset now)
    {
        RequireProvisioning();
        var step = Step(name);
        step.Fail(error, now, ErrorDetailsJson(error, step.RetryCount + 1));
        Touch(now);
        Record(WorkspaceEventTypes.StepFailed, "engine", now, new
        {
            step = name,
            error_code = error.Code,
            error_message = error.UserMessage,
            technical_detail = error.TechnicalDetail,
            retry_count = step.RetryCount,
        });
    }

    /// <summary>Compensation released this step's resources: a later attempt must run it again.</summary>
    public void RevertStep(string name, IReadOnlyList<Resource> released, DateTimeOffset now)
    {
        var step = Step(name);
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

    /// <summary>Deleting the workspace released this step's resources.</summary>
    public void ReleaseStepResources(string name, IReadOnlyList<Resource> released, DateTimeOffset now)
    {
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
    /// Compensation of this step failed: its resources are orphaned for a platform admin. During a failed
    /// attempt the step still goes back to pending, so a retry runs it again and, being idempotent, finds
    /// and reclaims what is left.
    /// </summary>
    public void OrphanStepResources(string name, IReadOnlyList<Resource> orphaned, string error, DateTimeOffset now)
    {
        var step = Step(name);
        if (Status == WorkspaceStatus.Provisioning && step.Status != StepStatus.Failed)
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
        RequireProvisioning();
        var attempt = ActiveAttempt!;
        attempt.Finish(AttemptOutcome.Succeeded, now);
        Status = WorkspaceStatus.Ready;
        Touch(now);
        Record(WorkspaceEventTypes.Succeeded, "engine", now, new
        {
            attempt = attempt.Number,
            trigger = attempt.Trigger.ToString().ToLowerInvariant(),
        });
    }

    /// <summary>
    /// The attempt failed (after compensation): the workspace goes to <c>error</c> and
    /// <c>provisioning.failed</c> records what the user and the admins are told (AC-3.6.2).
    /// </summary>
    public void FailAttempt(string failedStep, ProvisioningError error, DateTimeOffset now)
    {
        RequireProvisioning();
        var attempt = ActiveAttempt!;
        var step = Step(failedStep);
        attempt.Finish(AttemptOutcome.Failed, now, error.Code);
        Status = WorkspaceStatus.Error;
        ErrorCode = error.Code;
        ErrorDetail = error.UserMessage;
        ErrorTechnicalDetail = error.TechnicalDetail;
        Touch(now);
        Record(WorkspaceEventTypes.Failed, "engine", now, new
        {
            error_code = error.Code,
            error_message = error.UserMessage,
            technical_detail = error.TechnicalDetail,
            step = failedStep,
            attempt = attempt.Number,
            retry_count = step.RetryCount,
            last_attempt_at = now,
        });
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
        var active = _attempts.Count(a => a.IsActive);
        var failed = _steps.Count(s => s.Status == StepStatus.Failed);
        var running = _steps.Count(s => s.Status == StepStatus.Running);
        var problem = Status switch
        {
            _ when active > 1 => "more than one active attempt",
            WorkspaceStatus.Provisioning when active != 1 => "provisioning without an active attempt",
            // One failed step while its attempt is being compensated, before the attempt fails.
            WorkspaceStatus.Provisioning when failed > 1 => "provisioning with more than one failed step",
            WorkspaceStatus.Provisioning when failed == 1 && running != 0 => "a step running beside a failed one",
            WorkspaceStatus.Provisioning when running > 1 => "more than one running step",
            not WorkspaceStatus.Provisioning when active != 0 => $"{Status} with an active attempt",
            not WorkspaceStatus.Provisioning when running != 0 => $"{Status} with a running step",
            WorkspaceStatus.Ready when _steps.Any(s => !s.HasSucceeded) => "ready with unfinished steps",
            WorkspaceStatus.Ready when ErrorCode is not null => "ready with an error",
            WorkspaceStatus.Error when failed != 1 => "error without exactly one failed step",
            WorkspaceStatus.Error when ErrorCode is null => "error without an error code",
            _ => null,
        };
        if (problem is not null)
        {
            throw new InvalidOperationException($"Workspace {Id} would become inconsistent: {problem}.");
        }
    }

    private static string ErrorDetailsJson(ProvisioningError error, int attempt) =>
        JsonSerializer.Serialize(new { code = error.Code, technical_detail = error.TechnicalDetail, attempt }, PayloadJson);

    private void RequireProvisioning()
    {
        if (Status != WorkspaceStatus.Provisioning || ActiveAttempt is null)
        {
            throw new InvalidOperationException($"Workspace {Id} is {Status}, not provisioning.");
        }
    }

    private void Touch(DateTimeOffset now) => UpdatedAt = now;
}
