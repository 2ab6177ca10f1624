using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;
using Portal.Components.Shared;
using Portal.Features.Identity;
using Provisioning.Core.Simulator;

namespace Portal.Features.Platform;

public enum InventoryFilter
{
    Active,
    Deleted,
    All,
}

/// <summary>
/// The platform admin's simulator controls: capacity (used, free, resize), injected faults (list, add, clear)
/// and the inventory. Reloads as workspaces change, since provisioning is what uses capacity.
/// </summary>
public sealed partial class PlatformSimulatorPage : IDisposable
{
    private readonly CancellationTokenSource _disposed = new();
    private bool? _allowed;
    private CapacityView? _capacity;
    private IReadOnlyList<FaultView> _faults = [];
    private IReadOnlyList<InventoryItem> _inventory = [];
    private InventoryFilter _inventoryFilter = InventoryFilter.Active;
    private bool _clearing;

    [Inject]
    private SimulatedInfrastructure Simulator { get; set; } = default!;

    [Inject]
    private TimeProvider Time { get; set; } = default!;

    [CascadingParameter]
    private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    [Inject]
    private IAuthorizationService Authorization { get; set; } = default!;

    [Inject]
    private IDialogService Dialogs { get; set; } = default!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = default!;

    private IEnumerable<InventoryItem> FilteredInventory => _inventoryFilter switch
    {
        InventoryFilter.Active => _inventory.Where(i => i.State == "active"),
        InventoryFilter.Deleted => _inventory.Where(i => i.State != "active"),
        _ => _inventory,
    };

    private static string FilterLabel(InventoryFilter filter) => filter switch
    {
        InventoryFilter.Active => "Active",
        InventoryFilter.Deleted => "Deleted",
        _ => "All",
    };

    protected override async Task OnInitializedAsync()
    {
        _allowed = await PageAccess.AllowsAsync(Authorization, AuthenticationState, PortalPolicies.PlatformAdmin);
        if (_allowed == true)
        {
            await LoadAsync();
        }
    }

    private async Task LoadAsync()
    {
        var token = _disposed.Token;
        _capacity = CapacityView.From(await Simulator.CapacityAsync(token));
        _faults = (await Simulator.FaultsAsync(token)).Select(FaultView.From).ToList();
        // Newest first: what was just provisioned is what an admin looks for.
        _inventory = (await Simulator.InventoryAsync(token)).Select(InventoryItem.From).Reverse().ToList();
    }

    private async Task SaveCapacityAsync(CapacityRequest request)
    {
        _capacity = CapacityView.From(await Simulator.SetCapacityAsync(request.Cpu!.Value, request.MemoryGb!.Value, _disposed.Token));
        Snackbar.Add($"Capacity set to {request.Cpu} CPU and {request.MemoryGb} GB.", Severity.Success);
    }

    private async Task AddFaultAsync(FaultRequest request)
    {
        // The form checked it with the same rules; checking again keeps this method honest on its own.
        if (PlatformRules.CheckFault(request, out var phase).Count > 0)
        {
            return;
        }

        await Simulator.AddFaultAsync(PlatformRules.ToFault(request, phase, Time.GetUtcNow()), _disposed.Token);
        _faults = (await Simulator.FaultsAsync(_disposed.Token)).Select(FaultView.From).ToList();
        Snackbar.Add($"Fault added on {request.Step}.", Severity.Success);
    }

    private async Task ClearFaultsAsync()
    {
        var confirmed = await Dialogs.ShowMessageBoxAsync(
            "Clear all faults",
            $"Remove all {_faults.Count} injected faults? Steps will behave normally again.",
            yesText: "Clear all", cancelText: "Cancel");
        if (confirmed != true)
        {
            return;
        }

        _clearing = true;
        try
        {
            await Simulator.ClearFaultsAsync(_disposed.Token);
            _faults = [];
        }
        finally
        {
            _clearing = false;
        }
    }

    public void Dispose()
    {
        _disposed.Cancel();
        _disposed.Dispose();
    }
}
