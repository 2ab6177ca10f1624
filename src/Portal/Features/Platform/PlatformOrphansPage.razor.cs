using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.EntityFrameworkCore;
using MudBlazor;
using Portal.Components.Shared;
using Portal.Features.Identity;
using Provisioning.Core.Engine;

namespace Portal.Features.Platform;

/// <summary>Orphaned resources across all tenants, with "Retry cleanup"; a cleanup that fails again shows its error.</summary>
public sealed partial class PlatformOrphansPage : IDisposable
{
    private readonly CancellationTokenSource _disposed = new();
    private readonly HashSet<Guid> _busy = [];
    private readonly Dictionary<Guid, string> _errors = [];
    private IReadOnlyList<OrphanView>? _orphans;
    private CurrentUser? _user;
    private bool? _allowed;

    [CascadingParameter]
    private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    [Inject]
    private IAuthorizationService Authorization { get; set; } = default!;

    [Inject]
    private OrphanedResources Orphans { get; set; } = default!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = default!;

    protected override async Task OnInitializedAsync()
    {
        _allowed = await PageAccess.AllowsAsync(Authorization, AuthenticationState, PortalPolicies.PlatformAdmin);
        if (_allowed == true)
        {
            _user = CurrentUser.From((await AuthenticationState).User);
            await LoadAsync();
        }
    }

    private async Task LoadAsync() => _orphans = await Orphans.ListAsync(_disposed.Token);

    private async Task RetryCleanupAsync(OrphanView orphan)
    {
        if (_user is null || !_busy.Add(orphan.ResourceId))
        {
            return;
        }

        _errors.Remove(orphan.ResourceId);
        try
        {
            var result = await Orphans.RetryCleanupAsync(orphan.ResourceId, _user.Actor, _disposed.Token);
            switch (result)
            {
                case null:
                    Snackbar.Add($"{orphan.Kind} {orphan.ExternalId} is no longer orphaned.", Severity.Info);
                    break;
                case { Error: { } error }:
                    _errors[orphan.ResourceId] = error;
                    break;
                default:
                    Snackbar.Add($"{orphan.Kind} {orphan.ExternalId} cleaned up.", Severity.Success);
                    break;
            }

            await LoadAsync();
        }
        catch (DbUpdateConcurrencyException)
        {
            // The engine (or another admin) saved the workspace meanwhile; nothing of this cleanup was recorded.
            Snackbar.Add($"The workspace of {orphan.Kind} {orphan.ExternalId} changed meanwhile. Try again.", Severity.Warning);
            await LoadAsync();
        }
        finally
        {
            _busy.Remove(orphan.ResourceId);
        }
    }

    public void Dispose()
    {
        _disposed.Cancel();
        _disposed.Dispose();
    }
}
