using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Portal.Tests.TestInfrastructure;

public sealed record CapturedLog(LogLevel Level, string Category, string Message, IReadOnlyDictionary<string, object?> Scope);

/// <summary>Keeps every log entry, with the scope values it was written under.</summary>
public sealed class CapturedLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<CapturedLog> _entries = new();
    private readonly AsyncLocal<ImmutableScope?> _scope = new();

    public IReadOnlyList<CapturedLog> Entries => [.. _entries];

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed record ImmutableScope(IReadOnlyDictionary<string, object?> Values, ImmutableScope? Parent);

    private sealed class Logger(CapturedLogs owner, string category) : ILogger
    {
        public IDisposable BeginScope<TState>(TState state)
            where TState : notnull
        {
            var values = new Dictionary<string, object?>(owner._scope.Value?.Values ?? new Dictionary<string, object?>());
            if (state is IEnumerable<KeyValuePair<string, object>> pairs)
            {
                foreach (var (key, value) in pairs)
                {
                    values[key] = value;
                }
            }

            var parent = owner._scope.Value;
            owner._scope.Value = new ImmutableScope(values, parent);
            return new Pop(() => owner._scope.Value = parent);
        }

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner._entries.Enqueue(new CapturedLog(logLevel, category, formatter(state, exception), owner._scope.Value?.Values ?? new Dictionary<string, object?>()));
    }

    private sealed class Pop(Action pop) : IDisposable
    {
        public void Dispose() => pop();
    }
}
