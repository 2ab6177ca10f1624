using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Portal.Components.Shared;
using Portal.Features.Identity;
using Portal.Features.Notifications;
using Provisioning.Core.Notifications;
using Provisioning.Core.Workspaces;

namespace Portal.Features.Admin;

/// <summary>
/// The tenant admin's sent emails: the outbox of their own tenant only, newest first, filtered by status and paged on
/// the server. Read-only: resending is the platform's. The tenant comes from the signed-in user, never the address;
/// the filter and page live in the query string, as on <see cref="TenantAdminPage"/>.
/// </summary>
public sealed partial class TenantEmailsPage : IDisposable
{
    internal const int PageSize = OutboxRules.DefaultPageSize;

    private readonly CancellationTokenSource _disposed = new();
    private CurrentUser? _user;
    private PageOf<OutboxMessageView>? _result;
    private bool _loading;
    private bool? _allowed;
    private int _loadVersion;

    [CascadingParameter]
    private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    [Inject]
    private IAuthorizationService Authorization { get; set; } = default!;

    [Inject]
    private OutboxAdmin Outbox { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    [SupplyParameterFromQuery(Name = "status")]
    public string? Status { get; set; }

    [SupplyParameterFromQuery(Name = "page")]
    public int? Page { get; set; }

    private IReadOnlyList<OutboxMessageView> Items => _result?.Items ?? [];

    private int CurrentPage => Math.Max(1, Page ?? 1);

    private int PageCount => _result is null ? 0 : (int)Math.Ceiling(_result.Total / (double)PageSize);

    // A status the API would refuse shows every email, as a link with a typo should.
    private OutboxStatus? ParsedStatus => OutboxRules.TryParseStatus(Status, out var parsed) ? parsed : null;

    private string StatusValue => ParsedStatus is { } s ? DisplayFormat.Lower(s) : "";

    protected override async Task OnInitializedAsync()
    {
        _allowed = await PageAccess.AllowsAsync(Authorization, AuthenticationState, PortalPolicies.TenantAdmin);
        _user = _allowed == true ? CurrentUser.From((await AuthenticationState).User) : null;
    }

    protected override Task OnParametersSetAsync() => ReloadAsync();

    /// <summary>A load the user asked for (a filter, a page, Refresh): shows the loading bar.</summary>
    private async Task ReloadAsync()
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

    private async Task LoadAsync()
    {
        if (_user?.TenantId is not { Length: > 0 } tenantId)
        {
            return;
        }

        // Only the newest load is shown: a live refresh must not overwrite the page a filter just asked for.
        var version = ++_loadVersion;
        var result = await Outbox.ListForTenantAsync(tenantId, ParsedStatus, CurrentPage, PageSize, _disposed.Token);
        if (version == _loadVersion)
        {
            _result = result;
        }
    }

    private static string StatusLabel(string? value) =>
        OutboxRules.StatusOptions.FirstOrDefault(o => o.Value == (value ?? "")).Label ?? value ?? "";

    private Task FilterByStatusAsync(string? value) => NavigateAsync(value, page: 1);

    private Task GoToPageAsync(int page) => NavigateAsync(StatusValue, page);

    // The query string is the state: navigating sets the parameters, and OnParametersSetAsync loads.
    private Task NavigateAsync(string? status, int page)
    {
        Navigation.NavigateTo(Navigation.GetUriWithQueryParameters(new Dictionary<string, object?>
        {
            ["status"] = string.IsNullOrEmpty(status) ? null : status,
            ["page"] = page > 1 ? page : null,
        }), replace: true);
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _disposed.Cancel();
        _disposed.Dispose();
    }
}
