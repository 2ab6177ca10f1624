using Portal.Api;
using Provisioning.Core.Notifications;
using Provisioning.Core.Workspaces;

namespace Portal.Tests.Portal.Api;

public sealed class ApiEnumsTests
{
    [Fact]
    public void TheErrorForABadFilter_ListsEveryValueTheFilterTakes_AsTheApiSpellsThem()
    {
        ApiEnums.OneOf<WorkspaceStatus>("status").ShouldBe("status must be one of provisioning, ready, error, deprovisioning, deleted.");
        ApiEnums.OneOf<OutboxStatus>("status").ShouldBe("status must be one of pending, sent, failed.");

        foreach (var value in Enum.GetNames<WorkspaceStatus>().Select(n => n.ToLowerInvariant()))
        {
            ApiEnums.TryParse<WorkspaceStatus>(value, out var parsed).ShouldBeTrue(value);
            parsed.ShouldNotBeNull();
        }
    }

    [Theory]
    [InlineData("READY")]
    [InlineData("Ready")]
    [InlineData("1")]
    [InlineData("bogus")]
    public void OnlyTheLowercaseNames_Parse(string value)
    {
        ApiEnums.TryParse<WorkspaceStatus>(value, out var parsed).ShouldBeFalse();
        parsed.ShouldBeNull();
    }
}
