using Microsoft.Extensions.Options;

namespace Provisioning.Core;

/// <summary>A setting is missing or wrong; the message names it. Start-up stops with just this message.</summary>
public sealed class InvalidConfigurationException(string message, Exception? innerException = null)
    : Exception(message, innerException)
{
    /// <summary>
    /// Reads settings (resolving their options) and turns what binding and validation say about them into this
    /// exception: the failures of validation, or the binder's message naming the key it could not convert.
    /// </summary>
    public static void Check(Action readSettings)
    {
        try
        {
            readSettings();
        }
        catch (OptionsValidationException e)
        {
            throw new InvalidConfigurationException(string.Join(" ", e.Failures), e);
        }
        catch (InvalidOperationException e)
        {
            // The configuration binder names the key it could not convert, e.g. Provisioning:Retry:BaseDelay.
            throw new InvalidConfigurationException(e.Message, e);
        }
    }
}
