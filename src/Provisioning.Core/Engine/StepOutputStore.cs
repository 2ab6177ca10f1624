using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Provisioning.Core.Persistence;
using Provisioning.Core.Steps;
using Provisioning.Core.Workspaces;

namespace Provisioning.Core.Engine;

/// <summary>
/// A workspace's step outputs in the database: secret values encrypted with Data Protection (the keys every node
/// shares), decrypted only into the memory of the step that needs them. The engine saves what a step produced with the
/// step's success, and forgets a step's outputs in the commit that undoes the step.
/// </summary>
public sealed class StepOutputStore(IDataProtectionProvider dataProtection)
{
    private readonly IDataProtector _protector = dataProtection.CreateProtector("Provisioning.StepOutputs.v1");

    /// <summary>The workspace's outputs, tracked; read once per run of the engine.</summary>
    public Task<List<WorkspaceOutput>> LoadAsync(ProvisioningDbContext db, Guid workspaceId, CancellationToken cancellationToken) =>
        db.Outputs.Where(o => o.WorkspaceId == workspaceId).ToListAsync(cancellationToken);

    /// <summary>What the next step sees of <paramref name="outputs"/>: every value, secret ones decrypted.</summary>
    public StepOutputs For(IEnumerable<WorkspaceOutput> outputs) =>
        new(outputs.ToDictionary(o => o.Key, o => new OutputValue(o.Secret ? _protector.Unprotect(o.Value) : o.Value, o.Secret), StringComparer.Ordinal));

    /// <summary>Adds or replaces what <paramref name="step"/> produced; saved by the caller's next commit.</summary>
    public void Keep(ProvisioningDbContext db, List<WorkspaceOutput> outputs, Guid workspaceId, string step, StepOutputs produced, DateTimeOffset now)
    {
        foreach (var (key, output) in produced.Produced)
        {
            var value = output.Secret ? _protector.Protect(output.Value) : output.Value;
            if (outputs.Find(o => o.Key == key) is { } existing)
            {
                existing.Replace(step, value, output.Secret, now);
            }
            else
            {
                var added = new WorkspaceOutput(workspaceId, step, key, value, output.Secret, now);
                outputs.Add(added);
                db.Outputs.Add(added);
            }
        }
    }

    /// <summary>Removes what <paramref name="step"/> wrote: it was undone, and runs again before anything reads it.</summary>
    public void Forget(ProvisioningDbContext db, List<WorkspaceOutput> outputs, string step)
    {
        foreach (var output in outputs.Where(o => o.Step == step).ToList())
        {
            outputs.Remove(output);
            db.Outputs.Remove(output);
        }
    }
}
