namespace Provisioning.Core.Errors;

/// <summary>
/// A failure a step reports in the catalogue's terms. The message is the technical detail for
/// admins; users only ever see the catalogue's message for <see cref="Code"/>.
/// </summary>
public sealed class ProvisioningException : Exception
{
    public ProvisioningException(string code, string technicalDetail, Exception? innerException = null)
        : base(technicalDetail, innerException)
    {
        Code = ErrorCatalogue.IsKnown(code) ? code : ErrorCatalogue.Unknown;
    }

    public string Code { get; }

    public CatalogueEntry Entry => ErrorCatalogue.Get(Code);

    public bool IsTransient => Entry.IsTransient;

    /// <summary>How long the other side asked to be left alone (an HTTP <c>Retry-After</c>): the next try waits at least this.</summary>
    public TimeSpan? RetryAfter { get; init; }
}
