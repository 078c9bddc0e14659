namespace Edge.Camera.Sources;

/// <summary>A source that cannot be opened or read; the message is one line naming what and what was expected.</summary>
public sealed class FrameSourceException(string message, Exception? inner = null) : Exception(message, inner);
