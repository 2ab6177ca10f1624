using Microsoft.Playwright;

namespace E2E.Infrastructure;

/// <summary>Console errors and uncaught script errors of every page in a context: a healthy page has none.</summary>
public sealed class BrowserErrors
{
    private readonly List<string> _errors = [];
    private readonly Lock _lock = new();

    private BrowserErrors()
    {
    }

    public IReadOnlyList<string> Errors
    {
        get
        {
            lock (_lock)
            {
                return [.. _errors];
            }
        }
    }

    /// <summary>Starts recording; call it before opening pages.</summary>
    public static BrowserErrors Watch(IBrowserContext context)
    {
        var watcher = new BrowserErrors();
        context.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                watcher.Add($"console: {message.Text} ({message.Location})");
            }
        };
        context.WebError += (_, error) => watcher.Add($"page error: {error.Error}");
        return watcher;
    }

    private void Add(string error)
    {
        lock (_lock)
        {
            _errors.Add(error);
        }
    }
}
