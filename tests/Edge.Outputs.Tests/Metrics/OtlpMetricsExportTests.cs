using System.Net;
using System.Net.Sockets;
using System.Text;
using Edge.Outputs.Metrics;
using Edge.Runtime.Options;
using Edge.Runtime.Pipeline;

namespace Edge.Outputs.Tests.Metrics;

public sealed class OtlpMetricsExportTests
{
    [Theory]
    [InlineData("http://collector:4318", "http://collector:4318/v1/metrics")]
    [InlineData("https://collector.example:4318/", "https://collector.example:4318/v1/metrics")]
    [InlineData("http://collector:4318/otlp/v1/metrics", "http://collector:4318/otlp/v1/metrics")]
    public void MetricsUrl_BareOrFull_OtlpMetricsPath(string endpoint, string expected)
    {
        Assert.Equal(new Uri(expected), OtlpMetricsExport.MetricsUrl(new Uri(endpoint)));
    }

    [Theory]
    [InlineData("http://collector:4318", true)]
    [InlineData("https://10.0.0.2:4318/v1/metrics", true)]
    [InlineData("collector:4318", false)]
    [InlineData("grpc://collector:4317", false)]
    [InlineData("/v1/metrics", false)]
    public void IsValidEndpoint_HttpOrHttpsUrlsOnly(string endpoint, bool valid)
    {
        Assert.Equal(valid, OtlpMetricsExport.IsValidEndpoint(endpoint));
    }

    [Fact]
    public async Task Dispose_AfterFrames_PushesTheSeriesToTheCollector()
    {
        var port = FreePort();
        using var collector = new HttpListener();
        collector.Prefixes.Add($"http://127.0.0.1:{port}/");
        collector.Start();
        var received = ReceiveAsync(collector);
        using var metrics = new RuntimeMetrics(null, [new StreamOptions { Id = "otlp-front", Source = "synthetic" }], ["otlp-tagger"]);

        // An hour apart: only the final export on disposal can deliver within the test. Like any listener, the
        // exporter sees what is recorded once it has started.
        using (OtlpMetricsExport.Start(metrics, new Uri($"http://127.0.0.1:{port}"), TimeSpan.FromHours(1)))
        {
            metrics.OnFrame(FrameReports.Of(FrameOutcome.Published, stream: "otlp-front", model: "otlp-tagger"));
        }

        var (path, contentType, body) = await received.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal("/v1/metrics", path);
        Assert.Equal("application/x-protobuf", contentType);
        Assert.Contains("Edge.Runtime", body, StringComparison.Ordinal);
        Assert.Contains("edge_frames_published", body, StringComparison.Ordinal);
        Assert.Contains("edge_stage_latency", body, StringComparison.Ordinal);
        Assert.Contains("otlp-front", body, StringComparison.Ordinal);
        Assert.Contains("otlp-tagger", body, StringComparison.Ordinal);
    }

    /// <summary>The first request's path, content type and body (protobuf: its strings are readable as Latin-1).</summary>
    private static async Task<(string Path, string? ContentType, string Body)> ReceiveAsync(HttpListener collector)
    {
        var context = await collector.GetContextAsync();
        using var buffer = new MemoryStream();
        await context.Request.InputStream.CopyToAsync(buffer);
        var request = (context.Request.Url!.AbsolutePath, context.Request.ContentType, Encoding.Latin1.GetString(buffer.ToArray()));
        context.Response.StatusCode = 200;
        context.Response.Close();
        return request;
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
