namespace Edge.Server.LiveView;

/// <summary>
/// One tapped frame as viewers get it: the JPEG and the JSON describing it (<c>edge.view/1</c>: frame number, stream,
/// head, outcome, deadline, latency per stage and the frame's own label set). Immutable, shared by every viewer.
/// </summary>
internal sealed record EncodedFrame(long Frame, int Width, int Height, byte[] Jpeg, byte[] Json, long TappedAt);
