using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;
using Portal.Components.Shared;
using Portal.Features.Identity;
using Provisioning.Core.Notifications;
using Provisioning.Core.Workspaces;

namespace Portal.Features.Notifications;

/// <summary>
/// The bell in the app bar: the unread count, live, and the user's notifications. Notifications are written in
/// the same transaction as the events that cause them, so the bell reloads when such an event of the user's
/// tenant is committed (<see cref="WorkspaceNotifications.MayNotify"/>), not on a timer. Opening one marks it read
/// and goes to its workspace.
/// </summary>
public sealed partial class NotificationBell : IDisposable
{
    private readonly CancellationTokenSource _disposed = new();
    private CurrentUser? _user;
    private NotificationList? _list;
    private LiveRefresh? _live;
    private int _loadVersion;

    [CascadingParameter]
    private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    [Inject]
    private NotificationInbox Inbox { get; set; } = default!;

    [Inject]
    private IWorkspaceUpdates Updates { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    [Inject]
    private ILogger<NotificationBell> Logger { get; set; } = default!;

    private int Unread => _list?.Unread ?? 0;

    private IReadOnlyList<NotificationView> Items => _list?.Items ?? [];

    private string UnreadLabel => Unread switch
    {
        0 => "No unread notifications",
        1 => "1 unread notification",
        _ => string.Create(CultureInfo.InvariantCulture, $"{Unread} unread notifications"),
    };

    private string BellLabel => $"Notifications: {UnreadLabel.ToLowerInvariant()}";

    protected override async Task OnInitializedAsync()
    {
        _user = CurrentUser.From((await AuthenticationState).User);
        // Subscribed before the first load, so nothing committed after it is missed; only on the circuit.
        if (RendererInfo.IsInteractive && _user?.TenantId is { } tenantId)
        {
            _live = LiveRefresh.Subscribe(Updates, tenantId, c => WorkspaceNotifications.MayNotify(c.Type), InvokeAsync, RefreshAsync, Logger);
        }

        await LoadAsync();
    }

    private async Task RefreshAsync()
    {
        await LoadAsync();
        StateHasChanged();
    }

    // Also the bell's click: opening the list shows what is current, whatever the last live update was.
    private async Task LoadAsync()
    {
        if (_user is null)
        {
            return;
        }

        var version = ++_loadVersion;
        var list = await Inbox.ListAsync(_user.Id, _disposed.Token);
        // An older load that finishes after a newer one must not overwrite it.
        if (version == _loadVersion)
        {
            _list = list;
        }
    }

    private async Task OpenAsync(NotificationView item)
    {
        if (_user is null)
        {
            return;
        }

        if (item.ReadAt is null)
        {
            await Inbox.MarkReadAsync(_user.Id, item.Id, _disposed.Token);
            await LoadAsync();
        }

        if (item.WorkspaceId is { } workspaceId)
        {
            Navigation.NavigateTo($"workspaces/{workspaceId}");
        }
    }

    private static string IconFor(NotificationView item) => item.Kind switch
    {
        WorkspaceNotifications.ProvisioningFailedKind => Icons.Material.Filled.ErrorOutline,
        WorkspaceNotifications.WorkspaceReadyKind => Icons.Material.Filled.CheckCircleOutline,
        _ => Icons.Material.Filled.Info,
    };

    private static Color ColorFor(NotificationView item) => item.Kind switch
    {
        WorkspaceNotifications.ProvisioningFailedKind => Color.Error,
        WorkspaceNotifications.WorkspaceReadyKind => Color.Success,
        _ => Color.Info,
    };

    public void Dispose()
    {
        _live?.Dispose();
        _disposed.Cancel();
    }
}
