using System.Globalization;
using System.Text;

namespace Edge.Runtime.Metrics;

/// <summary>A response of the metrics server; every one closes the connection, so none needs chunking or keep-alive.</summary>
internal sealed record HttpResponse(int Status, string Reason, string ContentType, string Body)
{
    public const string PlainText = "text/plain; charset=utf-8";

    public string? Allow { get; init; }

    public static HttpResponse Text(int status, string reason, string body) => new(status, reason, PlainText, body + "\n");

    /// <summary>The bytes to send; a HEAD request gets the headers (with the length the body would have) only.</summary>
    public byte[] Encode(bool includeBody)
    {
        var body = Encoding.UTF8.GetBytes(Body);
        var head = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"HTTP/1.1 {Status} {Reason}\r\n")
            .Append(CultureInfo.InvariantCulture, $"Content-Type: {ContentType}\r\n")
            .Append(CultureInfo.InvariantCulture, $"Content-Length: {body.Length}\r\n");
        if (Allow is { } allow)
        {
            head.Append(CultureInfo.InvariantCulture, $"Allow: {allow}\r\n");
        }

        head.Append("Connection: close\r\n\r\n");
        var headBytes = Encoding.ASCII.GetBytes(head.ToString());
        return includeBody ? [.. headBytes, .. body] : headBytes;
    }
}
