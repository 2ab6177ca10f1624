using Provisioning.Core.Errors;

namespace Portal.Tests.Core.Errors;

/// <summary>Issue 22, point 1: once its automatic tries are used up, a transient error no longer promises a retry.</summary>
public sealed class ErrorCatalogueTests
{
    public static TheoryData<string> TransientCodes => [.. ErrorCatalogue.All.Where(e => e.IsTransient).Select(e => e.Code)];

    public static TheoryData<string> PermanentCodes => [.. ErrorCatalogue.All.Where(e => !e.IsTransient).Select(e => e.Code)];

    [Theory]
    [MemberData(nameof(TransientCodes))]
    public void ATransientCode_OnceItsTriesAreUsedUp_SaysSoAndPromisesNothing(string code)
    {
        var message = ErrorCatalogue.Get(code).MessageOnceFailed(5, TimeSpan.FromSeconds(150));

        message.ShouldContain("after 5 tries over about 2 minutes");
        message.ShouldContain("Press Retry");
        message.ShouldNotContain("will retry", Case.Insensitive);
        message.ShouldNotContain("automatically", Case.Insensitive);
    }

    [Theory]
    [MemberData(nameof(PermanentCodes))]
    public void APermanentCode_SaysTheSameBeforeAndAfter(string code)
    {
        var entry = ErrorCatalogue.Get(code);

        entry.MessageOnceFailed(1, TimeSpan.FromSeconds(3)).ShouldBe(entry.UserMessage);
    }

    [Theory]
    [InlineData(1, 0, "A platform service stayed unavailable after 1 try. We stopped trying. Press Retry, or try again later.")]
    [InlineData(3, 40, "A platform service stayed unavailable after 3 tries over about 40 seconds. We stopped trying. Press Retry, or try again later.")]
    [InlineData(5, 7300, "A platform service stayed unavailable after 5 tries over about 2 hours. We stopped trying. Press Retry, or try again later.")]
    public void TheTriesAndTheirTime_AreSaidInWords(int tries, int seconds, string expected) =>
        ErrorCatalogue.Get(ErrorCatalogue.ServiceUnavailable).MessageOnceFailed(tries, TimeSpan.FromSeconds(seconds)).ShouldBe(expected);
}
