namespace Provisioning.Core;

/// <summary>A setting is missing or wrong; the message names it. Start-up stops with just this message.</summary>
public sealed class InvalidConfigurationException(string message, Exception? innerException = null)
    : Exception(message, innerException);
