using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;
using Portal.Components.Shared;
using Portal.Features.Identity;

namespace Portal.Features.Tenants;

/// <summary>Tenants for platform admins: create one (checked as the API checks it, field by field), rename, deactivate, reactivate.</summary>
public sealed partial class PlatformTenantsPage : IDisposable
{
    private readonly CancellationTokenSource _disposed = new();
    private readonly HashSet<string> _busy = [];
    private Dictionary<string, string[]> _errors = [];
    private List<TenantView>? _tenants;
    private bool? _allowed;
    private bool _creating;
    private string? _newId;
    private string? _newName;
    private string? _renaming;
    private string? _rename;
    private string? _renameError;

    [CascadingParameter]
    private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    [Inject]
    private IAuthorizationService Authorization { get; set; } = default!;

    [Inject]
    private TenantDirectory Tenants { get; set; } = default!;

    [Inject]
    private IDialogService Dialogs { get; set; } = default!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = default!;

    protected override async Task OnInitializedAsync()
    {
        _allowed = await PageAccess.AllowsAsync(Authorization, AuthenticationState, PortalPolicies.PlatformAdmin);
        if (_allowed == true)
        {
            await LoadAsync();
        }
    }

    private async Task LoadAsync() => _tenants = await Tenants.ListAsync(_disposed.Token);

    private string? ErrorFor(string field) => _errors.TryGetValue(field, out var messages) ? string.Join(" ", messages) : null;

    private void Edit(Action change)
    {
        change();
        _errors = [];
    }

    private async Task CreateAsync()
    {
        var request = new NewTenant(_newId?.Trim(), _newName);
        _errors = TenantDirectory.Check(request);
        if (_errors.Count > 0)
        {
            return;
        }

        _creating = true;
        try
        {
            if (await Tenants.CreateAsync(request, _disposed.Token) is not { } created)
            {
                _errors = new() { ["id"] = [$"A tenant with the id '{request.Id}' exists already."] };
                return;
            }

            Snackbar.Add($"Tenant {created.Name} created.", Severity.Success);
            (_newId, _newName) = (null, null);
            await LoadAsync();
        }
        finally
        {
            _creating = false;
        }
    }

    private void StartRename(TenantView tenant)
    {
        _renaming = tenant.Id;
        _rename = tenant.Name;
        _renameError = null;
    }

    private async Task SaveNameAsync(TenantView tenant)
    {
        _renameError = TenantDirectory.NameError(_rename);
        if (_renameError is not null)
        {
            return;
        }

        await ChangeAsync(tenant, new TenantChange(_rename, null), $"Renamed to {_rename!.Trim()}.");
        _renaming = null;
    }

    private async Task SetActiveAsync(TenantView tenant, bool active)
    {
        if (!active)
        {
            var confirmed = await Dialogs.ShowMessageBoxAsync(
                $"Deactivate {tenant.Name}",
                $"Its {DisplayFormat.Count(tenant.Users, "user")} will no longer be able to sign in. Its {DisplayFormat.Count(tenant.Workspaces, "workspace")} are kept, and reactivating lets everyone back in.",
                yesText: "Deactivate", cancelText: "Cancel");
            if (confirmed != true)
            {
                return;
            }
        }

        await ChangeAsync(tenant, new TenantChange(null, active), active ? $"{tenant.Name} reactivated." : $"{tenant.Name} deactivated.");
    }

    private async Task ChangeAsync(TenantView tenant, TenantChange change, string done)
    {
        if (!_busy.Add(tenant.Id))
        {
            return;
        }

        try
        {
            if (await Tenants.ChangeAsync(tenant.Id, change, _disposed.Token) is null)
            {
                Snackbar.Add($"Tenant {tenant.Id} no longer exists.", Severity.Warning);
            }
            else
            {
                Snackbar.Add(done, Severity.Success);
            }

            await LoadAsync();
        }
        finally
        {
            _busy.Remove(tenant.Id);
        }
    }

    public void Dispose()
    {
        _disposed.Cancel();
        _disposed.Dispose();
    }
}
