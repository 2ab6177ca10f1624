namespace Provisioning.Core.Steps;

/// <summary>Where the lines a template step writes go (DESIGN §11, live step logs).</summary>
public interface IStepLog
{
    /// <summary>A writer for one run of a step's command or request, in <paramref name="phase"/> (<c>execute</c>, <c>compensate</c>).</summary>
    Task<IStepLogWriter> OpenAsync(StepContext context, string phase);
}

/// <summary>
/// Takes a run's lines, each with its stream (<c>stdout</c>, <c>stderr</c>, <c>portal</c>, <c>http</c>), secrets
/// already masked; they are saved in small batches while the run goes on, and the rest when it is disposed.
/// </summary>
public interface IStepLogWriter : IAsyncDisposable
{
    void Write(string stream, string line);
}
