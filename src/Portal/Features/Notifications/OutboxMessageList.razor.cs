using System.Globalization;
using Microsoft.AspNetCore.Components;
using MudBlazor;
using Provisioning.Core.Notifications;

namespace Portal.Features.Notifications;

/// <summary>
/// Outbox emails, newest first as given: to whom, what, where delivery stands and what went wrong last. The platform's
/// list adds the tenant and a Resend that shows it is running; a tenant admin's links each email to its workspace.
/// </summary>
public sealed partial class OutboxMessageList
{
    /// <summary>How much of a last error shows until "Show all": SMTP replies run to 2000 characters.</summary>
    internal const int ErrorPreviewLength = 300;

    private readonly HashSet<Guid> _fullErrors = [];

    [Parameter, EditorRequired]
    public IReadOnlyList<OutboxMessageView> Messages { get; set; } = [];

    /// <summary>What the table is, for screen readers, e.g. "Emails of the tenant".</summary>
    [Parameter, EditorRequired]
    public string Label { get; set; } = "";

    [Parameter]
    public bool Loading { get; set; }

    [Parameter]
    public string NoRecordsText { get; set; } = "No emails match these filters.";

    [Parameter]
    public bool ShowTenant { get; set; }

    /// <summary>Links each email's workspace to its page: only for users who may open it (the tenant's own).</summary>
    [Parameter]
    public bool LinkWorkspaces { get; set; }

    /// <summary>Emails whose resend is running.</summary>
    [Parameter]
    public IReadOnlySet<Guid> Busy { get; set; } = new HashSet<Guid>();

    /// <summary>Given, each email gets a Resend button that calls it.</summary>
    [Parameter]
    public EventCallback<OutboxMessageView> OnResend { get; set; }

    private bool CanResend => OnResend.HasDelegate;

    private int ColumnCount => 5 + (ShowTenant ? 1 : 0) + (CanResend ? 1 : 0);

    internal static Color StatusColor(OutboxStatus status) => status switch
    {
        OutboxStatus.Sent => Color.Success,
        OutboxStatus.Failed => Color.Error,
        _ => Color.Info,
    };

    private static string ResentLabel(int resends) =>
        resends == 1 ? "resent once" : string.Create(CultureInfo.InvariantCulture, $"resent {resends} times");

    private static string ErrorId(OutboxMessageView message) => $"outbox-error-{message.Id:N}";

    private static string Shorten(string error) => error[..ErrorPreviewLength] + "…";

    private bool IsShortened(OutboxMessageView message) =>
        message.LastError is { Length: > ErrorPreviewLength } && !_fullErrors.Contains(message.Id);

    private void ToggleError(OutboxMessageView message)
    {
        if (!_fullErrors.Remove(message.Id))
        {
            _fullErrors.Add(message.Id);
        }
    }
}
