namespace Edge.Outputs.Display;

/// <summary>The status display cannot be set up as configured; the message is one line that says what to change.</summary>
public sealed class DisplayConfigurationException(string message, Exception? inner = null) : Exception(message, inner);
