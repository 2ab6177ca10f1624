using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;
using Portal.Components.Shared;
using Portal.Features.Identity;
using Provisioning.Core.Identity;

namespace Portal.Features.Users;

/// <summary>The people of a tenant (all tenants for platform admins): promote, demote, disable, enable, by the API's rules.</summary>
public sealed partial class UsersPage : IDisposable
{
    private readonly CancellationTokenSource _disposed = new();
    private readonly HashSet<string> _busy = [];
    private List<UserView>? _users;
    private CurrentUser? _user;
    private bool? _allowed;
    private bool _platform;

    [CascadingParameter]
    private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    [Inject]
    private IAuthorizationService Authorization { get; set; } = default!;

    [Inject]
    private UserDirectory Users { get; set; } = default!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = default!;

    protected override async Task OnInitializedAsync()
    {
        _allowed = await PageAccess.AllowsAsync(Authorization, AuthenticationState, PortalPolicies.UserAdmin);
        if (_allowed == true)
        {
            _user = CurrentUser.From((await AuthenticationState).User);
            _platform = _user?.Role == PortalRole.PlatformAdmin;
            await LoadAsync();
        }
    }

    private async Task LoadAsync() => _users = await Users.ListAsync(_user!, null, _disposed.Token);

    private static string RoleLabel(PortalRole role) => role switch
    {
        PortalRole.TenantAdmin => "Tenant admin",
        PortalRole.PlatformAdmin => "Platform admin",
        _ => "Member",
    };

    private async Task ChangeAsync(UserView user, UserChange change)
    {
        if (!_busy.Add(user.Id))
        {
            return;
        }

        try
        {
            var (changed, refusal) = await Users.ChangeAsync(_user!, user.Id, change, _disposed.Token);
            switch (refusal)
            {
                case null:
                    Snackbar.Add($"{changed!.Email}: {RoleLabel(changed.Role).ToLowerInvariant()}, {(changed.Disabled ? "disabled" : "enabled")}.", Severity.Success);
                    break;
                case UserChangeRefusal.LastTenantAdmin:
                    Snackbar.Add("You are the tenant's last tenant admin: make someone else tenant admin first.", Severity.Warning);
                    break;
                default:
                    Snackbar.Add($"{user.Email} cannot be changed here.", Severity.Warning);
                    break;
            }

            await LoadAsync();
        }
        finally
        {
            _busy.Remove(user.Id);
        }
    }

    public void Dispose()
    {
        _disposed.Cancel();
        _disposed.Dispose();
    }
}
