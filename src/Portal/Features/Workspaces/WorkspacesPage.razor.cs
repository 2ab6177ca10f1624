using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;
using Portal.Components.Shared;
using Portal.Features.Identity;
using Provisioning.Core.Releases;
using Provisioning.Core.Workspaces;

namespace Portal.Features.Workspaces;

/// <summary>
/// The tenant's workspaces, paged, searched and filtered on the server. Status chips change live: a committed
/// event that changes a workspace's row reloads the page shown (two queries), with no polling timer.
/// </summary>
public sealed partial class WorkspacesPage : IDisposable
{
    internal const int PageSize = 10;

    /// <summary>The events that change what a row shows (its status or error) or add or remove a row.</summary>
    private static readonly HashSet<string> RowEvents =
    [
        WorkspaceEventTypes.Requested, WorkspaceEventTypes.AttemptStarted, WorkspaceEventTypes.Succeeded, WorkspaceEventTypes.Failed,
        WorkspaceEventTypes.RetryRejected, WorkspaceEventTypes.DeprovisioningStarted, WorkspaceEventTypes.Deleted,
    ];

    private readonly CancellationTokenSource _disposed = new();
    private MudTable<WorkspaceSummary>? _table;
    private LiveRefresh? _live;
    private CurrentUser? _user;
    private string? _search;
    private string _status = "";
    private bool _opening;

    [CascadingParameter]
    private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    [Inject]
    private WorkspaceQueries Queries { get; set; } = default!;

    [Inject]
    private ProvisioningRequests Requests { get; set; } = default!;

    [Inject]
    private Security.PortalThrottle Throttle { get; set; } = default!;

    [Inject]
    private ReleaseCatalog Releases { get; set; } = default!;

    [Inject]
    private IWorkspaceUpdates Updates { get; set; } = default!;

    [Inject]
    private IDialogService Dialogs { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    [Inject]
    private ILogger<WorkspacesPage> Logger { get; set; } = default!;

    /// <summary>"" stands for every status but deleted (what the query does with no status).</summary>
    internal static IReadOnlyList<(string Value, string Label)> StatusOptions { get; } =
        [("", "All but deleted"), .. Enum.GetValues<WorkspaceStatus>().Select(s => (WorkspaceText.Status(s), WorkspaceText.Status(s)))];

    private static int[] PageSizes { get; } = [10, 20, 50];

    private bool HasFilter => !string.IsNullOrWhiteSpace(_search) || _status.Length > 0;

    protected override async Task OnInitializedAsync()
    {
        _user = CurrentUser.From((await AuthenticationState).User);
        // Subscribed before the table's first load, so nothing committed after it is missed; only on the circuit
        // (a prerendered page has no one to tell).
        if (RendererInfo.IsInteractive && _user?.TenantId is { } tenantId)
        {
            _live = LiveRefresh.Subscribe(Updates, tenantId, c => RowEvents.Contains(c.Type), InvokeAsync, ReloadAsync, Logger);
        }
    }

    private async Task<TableData<WorkspaceSummary>> LoadPageAsync(TableState state, CancellationToken cancellationToken)
    {
        if (_user?.TenantId is not { } tenantId)
        {
            return new TableData<WorkspaceSummary> { Items = [], TotalItems = 0 };
        }

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposed.Token);
        WorkspaceRules.TryParseStatus(_status, out var status);
        var page = await Queries.ListAsync(tenantId, status, _search, state.Page + 1, state.PageSize, linked.Token);
        return new TableData<WorkspaceSummary> { Items = page.Items, TotalItems = page.Total };
    }

    private Task ReloadAsync() => _table?.ReloadServerData() ?? Task.CompletedTask;

    private Task SearchAsync(string? search)
    {
        _search = search;
        return FromFirstPageAsync();
    }

    private Task FilterAsync(string? status)
    {
        _status = status ?? "";
        return FromFirstPageAsync();
    }

    // New filters start at the first page: the page shown may not exist among the results.
    private async Task FromFirstPageAsync()
    {
        if (_table is null)
        {
            return;
        }

        if (_table.CurrentPage == 0)
        {
            await _table.ReloadServerData();
        }
        else
        {
            // Changing the page loads it.
            _table.NavigateTo(0);
        }
    }

    private static string StatusLabel(string? value) =>
        StatusOptions.FirstOrDefault(o => o.Value == (value ?? "")).Label ?? value ?? "";

    private async Task OpenCreateDialogAsync()
    {
        if (_opening || _user is null)
        {
            return;
        }

        _opening = true;
        try
        {
            var releases = await Releases.ListAsync(_disposed.Token);
            var parameters = new DialogParameters<CreateWorkspaceDialog>
            {
                { d => d.Releases, releases },
                { d => d.OnCreate, CreateAsync },
                { d => d.IsNameTaken, IsNameTakenAsync },
            };
            var options = new DialogOptions { MaxWidth = MaxWidth.Small, FullWidth = true, CloseOnEscapeKey = true, BackdropClick = false };
            var dialog = await Dialogs.ShowAsync<CreateWorkspaceDialog>("New workspace", parameters, options);
            _opening = false;
            StateHasChanged();
            if (await dialog.Result is { Canceled: false, Data: Guid id })
            {
                Navigation.NavigateTo($"workspaces/{id}");
            }
        }
        finally
        {
            _opening = false;
        }
    }

    private async Task<CreateWorkspaceOutcome> CreateAsync(CreateWorkspaceModel model)
    {
        var user = _user!;
        if (Throttle.Write(user.Id) is { } throttled)
        {
            return CreateWorkspaceOutcome.TooMany(throttled);
        }

        var result = await Requests.CreateAsync(
            new CreateWorkspace(user.TenantId!, user.Actor, model.Name!, model.ReleaseId!, model.Cpu, model.MemoryGb), _disposed.Token);
        return result switch
        {
            { Workspace: { } workspace } => CreateWorkspaceOutcome.Created(workspace.Id),
            { Refusal: { } refusal } => CreateWorkspaceOutcome.Refused(refusal),
            _ => throw new InvalidOperationException("A create result has a workspace or a refusal."),
        };
    }

    private Task<bool> IsNameTakenAsync(string name) =>
        Requests.IsNameTakenAsync(_user!.TenantId!, name, _disposed.Token);

    public void Dispose()
    {
        _live?.Dispose();
        // Cancelled, not disposed: a load that is still running may link to its token.
        _disposed.Cancel();
    }
}
