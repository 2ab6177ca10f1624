using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Provisioning.Core;
using Provisioning.Core.Identity;
using Provisioning.Core.Persistence;
using Provisioning.Core.Scheduling;

namespace Portal.Features.Identity;

/// <summary>
/// <c>Portal:Bootstrap:AdminEmail</c> and <c>AdminPassword</c>: the first platform admin of a fresh deployment, made at
/// start when no platform admin exists. Once one does, the settings change nothing (no password reset, no second admin):
/// from then on people are managed in the portal.
/// </summary>
public sealed class BootstrapAdminSettings
{
    public const string Section = "Portal:Bootstrap";

    public string? AdminEmail { get; init; }

    public string? AdminPassword { get; init; }

    public bool IsSet => !string.IsNullOrWhiteSpace(AdminEmail) || !string.IsNullOrEmpty(AdminPassword);

    public static BootstrapAdminSettings From(IConfiguration configuration) =>
        configuration.GetSection(Section).Get<BootstrapAdminSettings>() ?? new BootstrapAdminSettings();
}

/// <summary>Checks the bootstrap settings before anything starts, and makes the first platform admin during start-up.</summary>
internal sealed partial class BootstrapAdminSeeder(
    BootstrapAdminSettings settings, IServiceScopeFactory scopes, ILogger<BootstrapAdminSeeder> logger) : IStartupSeeder
{
    /// <summary>
    /// Both settings or neither; a single plain address; a password Identity's rules accept. Otherwise the start stops
    /// with one line naming the setting (what a weak password breaks, too).
    /// </summary>
    public static async Task CheckAsync(IServiceProvider services)
    {
        var settings = services.GetRequiredService<BootstrapAdminSettings>();
        if (!settings.IsSet)
        {
            return;
        }

        if (string.IsNullOrWhiteSpace(settings.AdminEmail) || string.IsNullOrEmpty(settings.AdminPassword))
        {
            throw new InvalidConfigurationException(
                $"{BootstrapAdminSettings.Section}:AdminEmail and {BootstrapAdminSettings.Section}:AdminPassword go together: set both to create the first platform admin, or neither.");
        }

        if (PlainAddress.Problem(settings.AdminEmail) is not null)
        {
            throw new InvalidConfigurationException($"{BootstrapAdminSettings.Section}:AdminEmail must be one email address (admin@example.com), not '{settings.AdminEmail}'.");
        }

        await using var scope = services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        var candidate = new PortalUser { UserName = settings.AdminEmail, Email = settings.AdminEmail };
        var errors = await users.ProblemsAsync(candidate, settings.AdminPassword);
        if (errors.Count > 0)
        {
            throw new InvalidConfigurationException($"{BootstrapAdminSettings.Section}:AdminPassword is too weak: {string.Join(" ", errors)}");
        }
    }

    /// <summary>Runs inside start-up's turn (on PostgreSQL, nodes starting together make one admin between them).</summary>
    public async Task SeedAsync(ProvisioningDbContext db, CancellationToken cancellationToken)
    {
        if (!settings.IsSet)
        {
            return;
        }

        if (await db.Users.AnyAsync(u => u.Role == PortalRole.PlatformAdmin, cancellationToken))
        {
            LogAdminExists();
            return;
        }

        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        if (await users.FindByEmailAsync(settings.AdminEmail!) is not null)
        {
            throw new InvalidConfigurationException(
                $"{BootstrapAdminSettings.Section}:AdminEmail {settings.AdminEmail} belongs to a user who is not a platform admin; name an address of its own.");
        }

        var admin = new PortalUser { UserName = settings.AdminEmail, Email = settings.AdminEmail, EmailConfirmed = true, Role = PortalRole.PlatformAdmin };
        var created = await users.CreateAsync(admin, settings.AdminPassword!);
        if (!created.Succeeded)
        {
            throw new InvalidConfigurationException(
                $"The first platform admin {settings.AdminEmail} could not be created: {string.Join(" ", created.Errors.Select(e => e.Description))}");
        }

        LogAdminCreated(settings.AdminEmail!);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Created the first platform admin, {Email}, from Portal:Bootstrap; the settings can now be removed")]
    private partial void LogAdminCreated(string email);

    [LoggerMessage(Level = LogLevel.Information, Message = "A platform admin exists: Portal:Bootstrap changes nothing and can be removed")]
    private partial void LogAdminExists();
}
