using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;
using Portal.Components.Shared;
using Microsoft.Extensions.Options;
using Portal.Features.Identity;
using Portal.Features.Invitations;
using Portal.Features.Tenants;
using Provisioning.Core.Identity;

namespace Portal.Features.Users;

/// <summary>
/// The people of a tenant (all tenants for platform admins) and their open invitations: invite, send again, revoke,
/// promote, demote, disable, enable, by the API's rules.
/// </summary>
public sealed partial class UsersPage : IDisposable
{
    private readonly CancellationTokenSource _disposed = new();
    private readonly HashSet<string> _busy = [];
    private readonly InviteInput _invite = new();
    private Dictionary<string, string> _inviteErrors = [];
    private List<UserView>? _users;
    private List<InvitationView>? _invitations;
    private List<TenantView> _tenants = [];
    private bool _inviting;
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
    private InvitationDirectory Invitations { get; set; } = default!;

    [Inject]
    private TenantDirectory Tenants { get; set; } = default!;

    [Inject]
    private IOptions<SingleSignOnOptions> SingleSignOnOptions { get; set; } = default!;

    [Inject]
    private IOptions<InvitationOptions> InvitationOptions { get; set; } = default!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = default!;

    private SingleSignOnOptions SingleSignOn => SingleSignOnOptions.Value;

    private string InvitationValidity => InvitationOptions.Value.ValidFor is { TotalDays: >= 1 } days && days.TotalDays == Math.Floor(days.TotalDays)
        ? $"{days.TotalDays:0} day{(days.TotalDays == 1 ? "" : "s")}"
        : InvitationOptions.Value.ValidFor.ToString();

    protected override async Task OnInitializedAsync()
    {
        _allowed = await PageAccess.AllowsAsync(Authorization, AuthenticationState, PortalPolicies.UserAdmin);
        if (_allowed == true)
        {
            _user = CurrentUser.From((await AuthenticationState).User);
            _platform = _user?.Role == PortalRole.PlatformAdmin;
            if (_platform)
            {
                _tenants = (await Tenants.ListAsync(_disposed.Token)).Where(t => t.Active).ToList();
            }

            await LoadAsync();
        }
    }

    private async Task LoadAsync()
    {
        _users = await Users.ListAsync(_user!, null, _disposed.Token);
        _invitations = await Invitations.ListAsync(_user!, openOnly: true, _disposed.Token);
    }

    private async Task InviteAsync()
    {
        var request = new NewInvitation(_invite.Email?.Trim(), _invite.Role, _platform ? _invite.Tenant : null);
        var errors = InvitationDirectory.Check(request);
        if (_platform && request.Tenant is null)
        {
            errors["tenant"] = ["Choose the tenant to invite into."];
        }

        _inviteErrors = errors.ToDictionary(e => e.Key, e => string.Join(" ", e.Value));
        if (_inviteErrors.Count > 0 || _inviting)
        {
            return;
        }

        _inviting = true;
        try
        {
            var (invitation, refusal) = await Invitations.CreateAsync(_user!, request, _disposed.Token);
            if (invitation is not null)
            {
                Snackbar.Add($"Invitation sent to {invitation.Email}.", Severity.Success);
                _invite.Email = null;
                await LoadAsync();
                return;
            }

            // The refusals that are about the address belong beside it; the rest say what to do instead.
            switch (refusal)
            {
                case InvitationRefusal.AccountExists:
                    _inviteErrors["email"] = "This address has an account already.";
                    break;
                case InvitationRefusal.AlreadyInvited:
                    _inviteErrors["email"] = "This address has a pending invitation: send that one again below.";
                    break;
                case InvitationRefusal.TenantInactive or InvitationRefusal.UnknownTenant:
                    _inviteErrors["tenant"] = "This tenant is not active.";
                    break;
                default:
                    Snackbar.Add("The invitation could not be made here.", Severity.Warning);
                    break;
            }
        }
        finally
        {
            _inviting = false;
        }
    }

    private Task ResendAsync(InvitationView invitation) =>
        OnInvitationAsync(invitation, () => Invitations.ResendAsync(_user!, invitation.Id, _disposed.Token), $"Invitation sent to {invitation.Email} again.");

    private Task RevokeAsync(InvitationView invitation) =>
        OnInvitationAsync(invitation, () => Invitations.RevokeAsync(_user!, invitation.Id, _disposed.Token), $"The invitation to {invitation.Email} is revoked.");

    private async Task OnInvitationAsync(InvitationView invitation, Func<Task<(InvitationView?, InvitationRefusal?)>> act, string done)
    {
        if (!_busy.Add(invitation.Id.ToString()))
        {
            return;
        }

        try
        {
            var (changed, _) = await act();
            Snackbar.Add(changed is not null ? done : $"The invitation to {invitation.Email} was accepted or withdrawn meanwhile.",
                changed is not null ? Severity.Success : Severity.Warning);
            await LoadAsync();
        }
        finally
        {
            _busy.Remove(invitation.Id.ToString());
        }
    }

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

    private sealed class InviteInput
    {
        public string? Email { get; set; }

        public PortalRole Role { get; set; } = PortalRole.Member;

        public string? Tenant { get; set; }
    }

    public void Dispose()
    {
        _disposed.Cancel();
        _disposed.Dispose();
    }
}
