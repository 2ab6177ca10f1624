using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Portal.Components.Shared;
using Portal.Features.Identity;
using Provisioning.Core.Errors;
using Provisioning.Core.Workspaces;

namespace Portal.Features.Admin;

/// <summary>
/// The tenant admin's view of the whole tenant: every workspace, filtered by status and error code and paged
/// on the server, with the failure detail of each and a retry. The filters and page live in the query string,
/// so a filtered view can be linked to and survives a reload.
/// </summary>
public sealed partial class TenantAdminPage : IDisposable
{
    internal const int PageSize = 20;

    private readonly CancellationTokenSource _disposed = new();
    private readonly HashSet<Guid> _expanded = [];
    private readonly HashSet<Guid> _retrying = [];
    private readonly Dictionary<Guid, string> _refusals = [];
    private CurrentUser? _user;
    private PageOf<AdminWorkspaceView>? _result;
    private bool _loading;
    private bool? _allowed;
    private int _loadVersion;

    [CascadingParameter]
    private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    [Inject]
    private IAuthorizationService Authorization { get; set; } = default!;

    [Inject]
    private WorkspaceQueries Queries { get; set; } = default!;

    [Inject]
    private ProvisioningRequests Requests { get; set; } = default!;

    [Inject]
    private Security.PortalThrottle Throttle { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    [SupplyParameterFromQuery(Name = "status")]
    public string? Status { get; set; }

    [SupplyParameterFromQuery(Name = "error_code")]
    public string? ErrorCode { get; set; }

    [SupplyParameterFromQuery(Name = "page")]
    public int? Page { get; set; }

    /// <summary>"" stands for every status but deleted (what the query does with no status).</summary>
    internal static IReadOnlyList<(string Value, string Label)> StatusOptions { get; } =
        [("", "All but deleted"), .. Enum.GetValues<WorkspaceStatus>().Select(s => (DisplayFormat.Lower(s), DisplayFormat.Lower(s)))];

    internal static IReadOnlyList<(string Value, string Label)> ErrorCodeOptions { get; } =
        [("", "Any error code"), .. ErrorCatalogue.All.Select(e => e.Code).Order(StringComparer.Ordinal).Select(c => (c, c))];

    private IReadOnlyList<AdminWorkspaceView> Items => _result?.Items ?? [];

    private int CurrentPage => Math.Max(1, Page ?? 1);

    private int PageCount => _result is null ? 0 : (int)Math.Ceiling(_result.Total / (double)PageSize);

    private WorkspaceStatus? ParsedStatus =>
        Enum.TryParse<WorkspaceStatus>(Status, ignoreCase: true, out var parsed) && !int.TryParse(Status, out _) ? parsed : null;

    private string? ParsedErrorCode => ErrorCode is { } code && ErrorCatalogue.IsKnown(code) ? code : null;

    private string StatusValue => ParsedStatus is { } s ? DisplayFormat.Lower(s) : "";

    private string ErrorCodeValue => ParsedErrorCode ?? "";

    protected override async Task OnInitializedAsync()
    {
        _allowed = await PageAccess.AllowsAsync(Authorization, AuthenticationState, PortalPolicies.TenantAdmin);
        _user = _allowed == true ? CurrentUser.From((await AuthenticationState).User) : null;
    }

    protected override async Task OnParametersSetAsync()
    {
        _loading = true;
        try
        {
            await LoadAsync();
        }
        finally
        {
            _loading = false;
        }
    }

    /// <summary>A live update: reload the page as it is, without the loading bar (nothing the user asked for).</summary>
    private Task RefreshAsync() => LoadAsync();

    private async Task LoadAsync()
    {
        if (_user?.TenantId is not { } tenantId)
        {
            return;
        }

        var version = ++_loadVersion;
        var result = await Queries.AdminListAsync(tenantId, ParsedStatus, ParsedErrorCode, CurrentPage, PageSize, _disposed.Token);
        if (version == _loadVersion)
        {
            _result = result;
        }
    }

    private static string StatusLabel(string? value) =>
        StatusOptions.FirstOrDefault(o => o.Value == (value ?? "")).Label ?? value ?? "";

    private static string ErrorCodeLabel(string? value) =>
        ErrorCodeOptions.FirstOrDefault(o => o.Value == (value ?? "")).Label ?? value ?? "";

    private Task FilterByStatusAsync(string? value) => NavigateAsync(value, ErrorCodeValue, page: 1);

    private Task FilterByErrorCodeAsync(string? value) => NavigateAsync(StatusValue, value, page: 1);

    private Task GoToPageAsync(int page) => NavigateAsync(StatusValue, ErrorCodeValue, page);

    // The query string is the state: navigating sets the parameters, and OnParametersSetAsync loads.
    private Task NavigateAsync(string? status, string? errorCode, int page)
    {
        Navigation.NavigateTo(Navigation.GetUriWithQueryParameters(new Dictionary<string, object?>
        {
            ["status"] = string.IsNullOrEmpty(status) ? null : status,
            ["error_code"] = string.IsNullOrEmpty(errorCode) ? null : errorCode,
            ["page"] = page > 1 ? page : null,
        }), replace: true);
        return Task.CompletedTask;
    }

    private bool IsExpanded(AdminWorkspaceView workspace) => _expanded.Contains(workspace.WorkspaceId);

    private void ToggleDetail(AdminWorkspaceView workspace)
    {
        if (!_expanded.Remove(workspace.WorkspaceId))
        {
            _expanded.Add(workspace.WorkspaceId);
        }
    }

    private async Task RetryAsync(AdminWorkspaceView workspace)
    {
        // The guard that makes a double click one retry, whatever the button shows.
        if (_user?.TenantId is not { } tenantId || !_retrying.Add(workspace.WorkspaceId))
        {
            return;
        }

        _refusals.Remove(workspace.WorkspaceId);
        try
        {
            if (Throttle.Write(_user.Id) is { } throttled)
            {
                _refusals[workspace.WorkspaceId] = Workspaces.RetryMessages.Throttled(throttled);
                return;
            }

            var result = await Requests.RetryAsync(workspace.WorkspaceId, tenantId, _user.Actor, _disposed.Token);
            if (Explain(result) is { } refusal)
            {
                _refusals[workspace.WorkspaceId] = refusal;
            }

            await LoadAsync();
        }
        finally
        {
            _retrying.Remove(workspace.WorkspaceId);
        }
    }

    /// <summary>Why a retry was refused, in the users' words plus the error code; null when it was accepted.</summary>
    internal static string? Explain(RetryResult result) => Workspaces.RetryMessages.Explain(result, withCode: true);

    public void Dispose()
    {
        _disposed.Cancel();
        _disposed.Dispose();
    }
}
