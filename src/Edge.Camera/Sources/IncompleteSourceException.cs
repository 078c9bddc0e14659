namespace Edge.Camera.Sources;

/// <summary>
/// A finite source ended before its own end: a video file cut short or corrupt (fewer frames decoded than its container
/// declares, or a header that runs past the end of the file). Every frame read before it was good and has been
/// delivered; the message is one line naming the file, what was read and what the container declares.
/// </summary>
public sealed class IncompleteSourceException(string message) : Exception(message);
