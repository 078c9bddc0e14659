using Edge.Outputs.Streams;

namespace Edge.Server.Health;

/// <summary>
/// Whether the run can do its work yet: the model is loaded and warmed up (<see cref="ModelWarm"/>, told by the run
/// once its scheduler warmed up) and every required stream (every stream, when none is required) has had a frame
/// processed. Readiness, unlike liveness, is reached once and kept: a stream that stalls later is /healthz's business.
/// </summary>
public sealed class RunReadiness(StreamLiveness streams)
{
    private volatile bool warm;

    /// <summary>The model is loaded and warmed up; frames flow next.</summary>
    public void ModelWarm() => warm = true;

    /// <summary>Why the run is not ready yet (one line), or null once it is.</summary>
    public string? Pending()
    {
        if (!warm)
        {
            return "the model is loading or warming up";
        }

        var anyRequired = Enumerable.Range(0, streams.Count).Any(streams.IsRequired);
        var waiting = Enumerable.Range(0, streams.Count)
            .Where(i => (!anyRequired || streams.IsRequired(i)) && streams.SinceLastFrame(i) is null)
            .Select(i => streams.Ids[i])
            .ToList();
        return waiting.Count == 0 ? null : $"no frame processed yet from stream{(waiting.Count == 1 ? "" : "s")} {string.Join(", ", waiting)}";
    }
}
