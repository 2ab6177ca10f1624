using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;
using Portal.Components.Shared;
using Portal.Features.Identity;
using Portal.Features.Notifications;
using Provisioning.Core.Notifications;
using Provisioning.Core.Workspaces;

namespace Portal.Features.Platform;

/// <summary>
/// The platform admin's email outbox: every tenant's emails, filtered by status and tenant and paged on the server,
/// each with a Resend. The filters and page live in the query string, so a filtered view can be linked to.
/// </summary>
public sealed partial class PlatformOutboxPage : IDisposable
{
    internal const int PageSize = OutboxRules.DefaultPageSize;

    private readonly CancellationTokenSource _disposed = new();
    private readonly HashSet<Guid> _resending = [];
    private PageOf<OutboxMessageView>? _result;
    private IReadOnlyList<string> _tenants = [];
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

    [Inject]
    private ISnackbar Snackbar { get; set; } = default!;

    [SupplyParameterFromQuery(Name = "status")]
    public string? Status { get; set; }

    [SupplyParameterFromQuery(Name = "tenant_id")]
    public string? TenantId { get; set; }

    [SupplyParameterFromQuery(Name = "page")]
    public int? Page { get; set; }

    private IReadOnlyList<OutboxMessageView> Items => _result?.Items ?? [];

    private int CurrentPage => Math.Max(1, Page ?? 1);

    private int PageCount => _result is null ? 0 : (int)Math.Ceiling(_result.Total / (double)PageSize);

    // A status the API would refuse shows every email, as a link with a typo should.
    private OutboxStatus? ParsedStatus => OutboxRules.TryParseStatus(Status, out var parsed) ? parsed : null;

    private string StatusValue => ParsedStatus is { } s ? DisplayFormat.Lower(s) : "";

    private string TenantValue => TenantId ?? "";

    /// <summary>The tenants with mail, plus the one in the address should it have none (so the filter shows what is applied).</summary>
    private IEnumerable<string> TenantOptions =>
        string.IsNullOrEmpty(TenantId) || _tenants.Contains(TenantId) ? _tenants : _tenants.Append(TenantId);

    protected override async Task OnInitializedAsync()
    {
        _allowed = await PageAccess.AllowsAsync(Authorization, AuthenticationState, PortalPolicies.PlatformAdmin);
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
        if (_allowed != true)
        {
            return;
        }

        // Only the newest load is shown: a live refresh must not overwrite the page a filter just asked for.
        var version = ++_loadVersion;
        var tenants = await Outbox.TenantsAsync(_disposed.Token);
        var result = await Outbox.ListAsync(ParsedStatus, string.IsNullOrEmpty(TenantId) ? null : TenantId, CurrentPage, PageSize, _disposed.Token);
        if (version == _loadVersion)
        {
            _tenants = tenants;
            _result = result;
        }
    }

    private async Task ResendAsync(OutboxMessageView message)
    {
        // The guard that makes a double click one resend, whatever the button shows.
        if (!_resending.Add(message.Id))
        {
            return;
        }

        try
        {
            if (await Outbox.ResendAsync(message.Id, _disposed.Token) is { } queued)
            {
                // The row shows the message's new state in place, even where it no longer matches the status filter:
                // an admin who resent a failed email sees it pending, not gone.
                Replace(queued);
                Snackbar.Add($"The email to {message.Recipient} is queued to go out again.", Severity.Success);
            }
            else
            {
                Snackbar.Add($"The email to {message.Recipient} no longer exists.", Severity.Warning);
                await LoadAsync();
            }
        }
        finally
        {
            _resending.Remove(message.Id);
        }
    }

    private void Replace(OutboxMessageView message)
    {
        if (_result is { } page)
        {
            // A load that started before the resend would bring back the old state: it is dropped.
            _loadVersion++;
            _result = page with { Items = page.Items.Select(m => m.Id == message.Id ? message : m).ToList() };
        }
    }

    private static string StatusLabel(string? value) =>
        OutboxRules.StatusOptions.FirstOrDefault(o => o.Value == (value ?? "")).Label ?? value ?? "";

    private static string TenantLabel(string? value) => string.IsNullOrEmpty(value) ? "Any tenant" : value;

    private Task FilterByStatusAsync(string? value) => NavigateAsync(value, TenantValue, page: 1);

    private Task FilterByTenantAsync(string? value) => NavigateAsync(StatusValue, value, page: 1);

    private Task GoToPageAsync(int page) => NavigateAsync(StatusValue, TenantValue, page);

    // The query string is the state: navigating sets the parameters, and OnParametersSetAsync loads.
    private Task NavigateAsync(string? status, string? tenantId, int page)
    {
        Navigation.NavigateTo(Navigation.GetUriWithQueryParameters(new Dictionary<string, object?>
        {
            ["status"] = string.IsNullOrEmpty(status) ? null : status,
            ["tenant_id"] = string.IsNullOrEmpty(tenantId) ? null : tenantId,
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
