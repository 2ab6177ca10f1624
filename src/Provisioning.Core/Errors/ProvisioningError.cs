namespace Provisioning.Core.Errors;

/// <summary>A failure as it is recorded on a step or workspace: code plus technical detail.</summary>
public sealed record ProvisioningError(string Code, string TechnicalDetail)
{
    public CatalogueEntry Entry => ErrorCatalogue.Get(Code);

    public string UserMessage => Entry.UserMessage;

    /// <summary>What the user is told once the attempt failed (a transient code's tries are used up by then).</summary>
    public string MessageOnceFailed(int tries, TimeSpan over) => Entry.MessageOnceFailed(tries, over);

    /// <summary>Maps anything thrown by a step onto the catalogue; unmapped exceptions become <c>unknown</c>.</summary>
    public static ProvisioningError From(Exception exception) => exception switch
    {
        ProvisioningException p => new ProvisioningError(p.Code, p.Message),
        Polly.Timeout.TimeoutRejectedException t => new ProvisioningError(ErrorCatalogue.ConnectionTimeout, t.Message),
        _ => new ProvisioningError(ErrorCatalogue.Unknown, $"{exception.GetType().Name}: {exception.Message}"),
    };
}
