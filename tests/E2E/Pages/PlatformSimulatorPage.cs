using E2E.Infrastructure;
using Microsoft.Playwright;

namespace E2E.Pages;

/// <summary>The platform admin's simulator (<c>/platform/simulator</c>): capacity, faults and inventory.</summary>
public sealed class PlatformSimulatorPage(IPage page)
{
    public IPage Page { get; } = page;

    public ILocator Heading => Page.Locator(".mud-main-content h1");

    /// <summary>"48 used · 16 free · 64 total CPU".</summary>
    public ILocator CpuUsage => Page.GetByTestId("capacity-cpu");

    public ILocator MemoryUsage => Page.GetByTestId("capacity-memory");

    public ILocator CpuInput => Page.Locator("#capacity-cpu-input");

    public ILocator MemoryInput => Page.Locator("#capacity-memory-input");

    public ILocator SaveCapacityButton => Page.Locator("#capacity-save");

    public ILocator Faults => Page.Locator("#faults tbody tr").Filter(new LocatorFilterOptions { Has = Page.Locator("td[data-label='Step']") });

    public ILocator ClearFaultsButton => Page.Locator("#faults-clear");

    public ILocator FaultStep => Page.Locator("#fault-step");

    public ILocator FaultCode => Page.Locator("#fault-code");

    public ILocator FaultTimes => Page.Locator("#fault-times");

    public ILocator FaultProbability => Page.Locator("#fault-probability");

    public ILocator FaultLatency => Page.Locator("#fault-latency");

    public ILocator AddFaultButton => Page.Locator("#fault-add");

    public ILocator InventoryFilter => Page.Locator("#inventory-filter");

    public ILocator InventoryRows => Page.Locator("#inventory tbody tr").Filter(new LocatorFilterOptions { Has = Page.Locator("td[data-label='Name']") });

    public ILocator ErrorUnder(ILocator input) => MudSelects.ErrorUnder(input);

    public async Task GotoAsync()
    {
        await Page.GotoAsync("platform/simulator");
        await BrowserFixture.WaitForInteractiveAsync(Page);
        await CpuUsage.WaitForAsync();
    }

    public async Task SetCapacityAsync(int cpu, int memoryGb)
    {
        await CpuInput.FillAsync(cpu.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await MemoryInput.FillAsync(memoryGb.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await MemoryInput.BlurAsync();
        await SaveCapacityButton.ClickAsync();
    }

    /// <summary>Fills and submits the fault form; <paramref name="code"/> null means "Latency only (no error)".</summary>
    public async Task AddFaultAsync(string step, string? code, int? times = 1, double? probability = null, int? latencyMs = null, bool onCompensate = false)
    {
        await MudSelects.ChooseAsync(Page, FaultStep, step);
        await MudSelects.ChooseAsync(Page, FaultCode, code ?? "Latency only (no error)");
        await FaultTimes.FillAsync(times?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "");
        await FaultProbability.FillAsync(probability?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "");
        await FaultLatency.FillAsync(latencyMs?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "");
        await FaultLatency.BlurAsync();
        await Page.GetByText(onCompensate ? "On compensate (cleanup fails)" : "On execute", new PageGetByTextOptions { Exact = true }).ClickAsync();
        await AddFaultButton.ClickAsync();
    }

    /// <summary>Clears every fault, confirming in the dialog.</summary>
    public async Task ClearFaultsAsync()
    {
        await ClearFaultsButton.ClickAsync();
        await Page.Locator(".mud-dialog").GetByRole(AriaRole.Button, new LocatorGetByRoleOptions { Name = "Clear all", Exact = true }).ClickAsync();
        await Microsoft.Playwright.Assertions.Expect(Faults).ToHaveCountAsync(0);
    }
}
