using Edge.Outputs.Streams;

namespace Edge.Server.Health;

/// <summary>
/// Whether the run can do its work yet: the model is loaded and warmed up (<see cref="ModelWarm"/>, told by the run
/// once its scheduler warmed up) and every required stream (every stream, when none is required) has had a frame
/// processed. Readiness, unlike liveness, is reached once and kept: a stream that stalls later, or one that joins the
/// run later, is /healthz's business.
/// </summary>
public sealed class RunReadiness(StreamLiveness streams)
{
    private volatile bool warm;
    private volatile bool ready;

    /// <summary>The model is loaded and warmed up; frames flow next.</summary>
    public void ModelWarm() => warm = true;

    /// <summary>Why the run is not ready yet (one line), or null once it is (and from then on).</summary>
    public string? Pending()
    {
        if (ready)
        {
            return null;
        }

        if (!warm)
        {
            return "the model is loading or warming up";
        }

        var present = Enumerable.Range(0, streams.Count).Where(streams.IsPresent).ToList();
        var anyRequired = present.Any(streams.IsRequired);
        var waiting = present
            .Where(i => (!anyRequired || streams.IsRequired(i)) && streams.SinceLastFrame(i) is null)
            .Select(streams.IdOf)
            .ToList();
        if (waiting.Count == 0)
        {
            ready = true;
            return null;
        }

        return $"no frame processed yet from stream{(waiting.Count == 1 ? "" : "s")} {string.Join(", ", waiting)}";
    }
}
