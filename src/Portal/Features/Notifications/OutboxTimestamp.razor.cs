using Microsoft.AspNetCore.Components;
using Portal.Components.Shared;

namespace Portal.Features.Notifications;

/// <summary>An outbox time as <see cref="DisplayFormat.Timestamp"/> writes it, for a table column.</summary>
public sealed partial class OutboxTimestamp
{
    [Parameter]
    public DateTimeOffset? Value { get; set; }

    private string Text => DisplayFormat.Timestamp(Value);

    private string Date => Text[..Text.IndexOf(' ', StringComparison.Ordinal)];

    private string Time => Text[(Text.IndexOf(' ', StringComparison.Ordinal) + 1)..];
}
