using System.Text.Json;
using System.Text.Json.Serialization;
using Edge.Runtime.Control;
using Edge.Runtime.Options;
using Edge.Server.Hosting;

namespace Edge.Server.Api;

/// <summary>
/// The control API's JSON, source-generated (no reflection, so trimmed builds keep it), in the app's conventions
/// (<see cref="ServerJson"/>) and as strict as the config file: a key given twice or one the body does not have is
/// refused, not ignored.
/// </summary>
[JsonSerializable(typeof(SwapRequest))]
[JsonSerializable(typeof(SwapAnswer))]
[JsonSerializable(typeof(BudgetRequest))]
[JsonSerializable(typeof(Dictionary<string, ThresholdOverride>))]
[JsonSerializable(typeof(RuntimeStatus))]
[JsonSerializable(typeof(PauseResult))]
[JsonSerializable(typeof(ThresholdsResult))]
[JsonSerializable(typeof(BudgetResult))]
[JsonSerializable(typeof(StreamRequest))]
[JsonSerializable(typeof(StreamAdded))]
[JsonSerializable(typeof(StreamRemoved))]
internal sealed partial class ApiJsonContext : JsonSerializerContext
{
    /// <summary>What the API reads and writes with.</summary>
    public static ApiJsonContext Api { get; } = new(ServerJson.Apply(new JsonSerializerOptions
    {
        AllowDuplicateProperties = false,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        RespectNullableAnnotations = true,
    }));
}
