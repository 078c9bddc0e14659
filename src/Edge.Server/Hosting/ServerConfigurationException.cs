namespace Edge.Server.Hosting;

/// <summary>
/// The HTTP server cannot start as configured: a malformed or unbindable endpoint, a bind beyond loopback without an
/// API token, a token or certificate that cannot be read. The message is one line naming the setting and what was
/// expected (never the token itself).
/// </summary>
public sealed class ServerConfigurationException(string message, Exception? inner = null) : Exception(message, inner);
