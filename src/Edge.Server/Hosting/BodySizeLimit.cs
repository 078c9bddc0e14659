using Microsoft.AspNetCore.Http.Metadata;

namespace Edge.Server.Hosting;

/// <summary>
/// Endpoint metadata: the most body bytes this route reads. Routing applies it to Kestrel's limit before the handler
/// runs, so a larger body is cut off while it arrives (413), never buffered whole.
/// </summary>
public sealed record BodySizeLimit(long? MaxRequestBodySize) : IRequestSizeLimitMetadata;
