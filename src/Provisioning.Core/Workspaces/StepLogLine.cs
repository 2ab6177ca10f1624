namespace Provisioning.Core.Workspaces;

/// <summary>
/// One line a template step wrote (stdout, stderr), or the portal wrote about it (<c>portal</c>: exit codes, kills;
/// <c>http</c>: each request and answer), kept with the attempt and phase it belongs to, secrets already masked.
/// </summary>
public sealed class StepLogLine
{
    /// <summary>Longest line kept, in characters; longer ones are cut, with a mark.</summary>
    public const int MaxLength = 4000;

    private StepLogLine()
    {
    }

    public StepLogLine(Guid workspaceId, string step, int attempt, int number, string phase, string stream, string line, DateTimeOffset at)
    {
        WorkspaceId = workspaceId;
        Step = step;
        Attempt = attempt;
        Number = number;
        Phase = phase;
        Stream = stream;
        Line = line.Length <= MaxLength ? line : string.Concat(line.AsSpan(0, MaxLength), " …[cut]");
        At = at;
    }

    public long Id { get; private set; }

    public Guid WorkspaceId { get; private set; }

    public string Step { get; private set; } = "";

    public int Attempt { get; private set; }

    /// <summary>1, 2, … within the step and attempt: the order the lines were written in, and the API's paging key.</summary>
    public int Number { get; private set; }

    /// <summary><c>execute</c> or <c>compensate</c>.</summary>
    public string Phase { get; private set; } = "";

    public string Stream { get; private set; } = "";

    public string Line { get; private set; } = "";

    public DateTimeOffset At { get; private set; }
}
