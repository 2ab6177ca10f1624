using Portal.Features.Identity;

namespace Portal.Tests.Portal.Components.Identity;

public sealed class SignInTests
{
    [Theory]
    [InlineData("/workspaces", "/workspaces")]
    [InlineData("/workspaces/0195a3b4-0000-7000-8000-000000000001?tab=timeline", "/workspaces/0195a3b4-0000-7000-8000-000000000001?tab=timeline")]
    [InlineData("/", "/")]
    public void SafeReturnUrl_APathOfThePortal_IsKept(string returnUrl, string expected) =>
        SignIn.SafeReturnUrl(returnUrl).ShouldBe(expected);

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("https://evil.example/phish")]
    [InlineData("//evil.example/phish")]
    [InlineData("/\\evil.example")]
    [InlineData("workspaces")]
    [InlineData("/redirect?to=https://evil.example")]
    [InlineData("/signin?ReturnUrl=%2Fworkspaces")]
    [InlineData("/signout")]
    public void SafeReturnUrl_AnythingElse_GoesToTheFrontDoor(string? returnUrl) =>
        SignIn.SafeReturnUrl(returnUrl).ShouldBe("/");

    [Fact]
    public void SignInUrl_ComesBackToWhereTheUserWas() =>
        RedirectToSignIn.SignInUrl("workspaces/42?x=1").ShouldBe("/signin?ReturnUrl=%2Fworkspaces%2F42%3Fx%3D1");
}
