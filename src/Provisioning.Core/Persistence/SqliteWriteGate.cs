namespace Provisioning.Core.Persistence;

/// <summary>
/// SQLite allows one writer at a time, and Microsoft.Data.Sqlite answers a busy database by sleeping
/// the thread in 150 ms steps. Writers inside this process therefore queue here, asynchronously,
/// instead of colliding in the database. Re-entrant within one async flow (a save inside a write transaction).
/// </summary>
internal static class SqliteWriteGate
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static readonly AsyncLocal<bool> Held = new();

    public static async Task<T> RunAsync<T>(Func<Task<T>> work, CancellationToken cancellationToken)
    {
        if (Held.Value)
        {
            return await work();
        }

        await Gate.WaitAsync(cancellationToken);
        try
        {
            // Set inside this method so it flows into work() and nowhere else.
            Held.Value = true;
            return await work();
        }
        finally
        {
            Held.Value = false;
            Gate.Release();
        }
    }
}
