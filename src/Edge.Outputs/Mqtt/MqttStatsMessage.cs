using System.Globalization;
using System.Text.Encodings.Web;
using Edge.Runtime.Pipeline;

namespace Edge.Outputs.Mqtt;

/// <summary>The periodic <c>stats</c> message (<c>edge.stats/1</c>, docs/mqtt.md): every key from the first one on.</summary>
internal static class MqttStatsMessage
{
    public const string Schema = "edge.stats/1";

    /// <summary>The counters, in the order they are written (then <c>level</c>).</summary>
    public static readonly IReadOnlyList<string> CounterKeys = ["published", "dropped_stale", "skipped", "late", "withheld", "cancelled", "missed"];

    /// <summary>Read on the MQTT thread while frames run: counters may be a frame apart.</summary>
    public static string Write(string device, PipelineStats stats, int level) => string.Create(CultureInfo.InvariantCulture,
        $$"""{"schema":"{{Schema}}","device":"{{JavaScriptEncoder.Default.Encode(device)}}","published":{{stats.Published}},"dropped_stale":{{stats.DroppedStale}},"skipped":{{stats.Skipped}},"late":{{stats.Late}},"withheld":{{stats.Withheld}},"cancelled":{{stats.Cancelled}},"missed":{{stats.Missed}},"level":{{level}}}""");
}
