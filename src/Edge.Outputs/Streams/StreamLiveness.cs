using Edge.Runtime.Events;
using Edge.Runtime.Options;

namespace Edge.Outputs.Streams;

/// <summary>
/// Whether each configured stream is alive: its camera delivers (no <c>camera_lost</c> since the last
/// <c>camera_recovered</c>) and one of its frames was processed recently (within what the asker allows: the watchdog
/// and <c>/healthz</c> each have their own window). Frames are recorded on
/// the frame thread, camera events on the capture threads, reads come from anywhere (a scrape, the watchdog), so every
/// field is read and written atomically; a stream is found by an ordinal scan of a small array, which allocates nothing.
/// </summary>
public sealed class StreamLiveness
{
    private const long NoFrameYet = long.MinValue;

    private readonly string[] ids;
    private readonly bool[] required;
    private readonly int[] cameraLost;
    private readonly long[] lastFrame;

    /// <param name="streams">The configured streams (<see cref="PipelineOptions.EffectiveStreams"/>); only they are tracked.</param>
    public StreamLiveness(IReadOnlyList<StreamOptions> streams, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfZero(streams.Count);
        ids = [.. streams.Select(stream => stream.Id)];
        required = [.. streams.Select(stream => stream.Required)];
        cameraLost = new int[ids.Length];
        lastFrame = new long[ids.Length];
        Array.Fill(lastFrame, NoFrameYet);
        Time = time;
    }

    public TimeProvider Time { get; }

    public IReadOnlyList<string> Ids => ids;

    public int Count => ids.Length;

    /// <summary>The index of a configured stream, or -1 for any other id.</summary>
    public int IndexOf(string stream)
    {
        for (var i = 0; i < ids.Length; i++)
        {
            if (string.Equals(ids[i], stream, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    public bool IsRequired(int stream) => required[stream];

    /// <summary>A frame of the stream was processed now; returns its index, or -1 for a stream not configured (nothing recorded).</summary>
    public int RecordFrame(string stream)
    {
        var index = IndexOf(stream);
        if (index >= 0)
        {
            Interlocked.Exchange(ref lastFrame[index], Time.GetTimestamp());
        }

        return index;
    }

    /// <summary>Takes <c>camera_lost</c> and <c>camera_recovered</c>; ignores every other event.</summary>
    public void RecordEvent(in PipelineEvent pipelineEvent)
    {
        if (pipelineEvent.Kind is not (PipelineEventKind.CameraLost or PipelineEventKind.CameraRecovered))
        {
            return;
        }

        var index = IndexOf(pipelineEvent.Stream);
        if (index >= 0)
        {
            Volatile.Write(ref cameraLost[index], pipelineEvent.Kind == PipelineEventKind.CameraLost ? 1 : 0);
        }
    }

    public bool IsCameraLost(int stream) => Volatile.Read(ref cameraLost[stream]) != 0;

    /// <summary>How long ago a frame of the stream was last processed, or null before its first.</summary>
    public TimeSpan? SinceLastFrame(int stream)
    {
        var last = Interlocked.Read(ref lastFrame[stream]);
        return last == NoFrameYet ? null : Time.GetElapsedTime(last);
    }

    public bool IsAlive(int stream, TimeSpan staleAfter) => !IsCameraLost(stream) && SinceLastFrame(stream) is { } since && since <= staleAfter;

    /// <summary>Every required stream alive (and, when none is required, at least one stream).</summary>
    public bool RequiredAlive(TimeSpan staleAfter)
    {
        var anyRequired = false;
        for (var i = 0; i < ids.Length; i++)
        {
            if (required[i])
            {
                anyRequired = true;
                if (!IsAlive(i, staleAfter))
                {
                    return false;
                }
            }
        }

        return anyRequired || AnyAlive(staleAfter);
    }

    /// <summary>The most recent frame of any stream, or null before the first.</summary>
    public TimeSpan? SinceAnyFrame()
    {
        var latest = NoFrameYet;
        for (var i = 0; i < lastFrame.Length; i++)
        {
            latest = Math.Max(latest, Interlocked.Read(ref lastFrame[i]));
        }

        return latest == NoFrameYet ? null : Time.GetElapsedTime(latest);
    }

    public bool AnyAlive(TimeSpan staleAfter)
    {
        for (var i = 0; i < ids.Length; i++)
        {
            if (IsAlive(i, staleAfter))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Why the stream is not alive (one short phrase), or null when it is.</summary>
    public string? Problem(int stream, TimeSpan staleAfter) =>
        IsCameraLost(stream) ? "camera lost"
        : SinceLastFrame(stream) is not { } since ? "no frame processed yet"
        : since > staleAfter ? FormattableString.Invariant($"last frame processed {since.TotalSeconds:0.0} s ago, expected within {staleAfter.TotalSeconds:0.###} s")
        : null;

    /// <summary>
    /// Why the run is not healthy: each required stream that is not processing (with a single stream, just why), or
    /// when no stream is required, that none is processing; null while healthy.
    /// </summary>
    public string? Unhealthy(TimeSpan staleAfter)
    {
        var anyRequired = Enumerable.Range(0, Count).Any(IsRequired);
        var considered = Enumerable.Range(0, Count).Where(i => !anyRequired || IsRequired(i)).ToArray();
        var problems = considered.Select(i => (Stream: Ids[i], Problem: Problem(i, staleAfter))).Where(p => p.Problem is not null).ToArray();
        if (problems.Length == 0 || (!anyRequired && problems.Length < considered.Length))
        {
            return null;
        }

        return Count == 1
            ? problems[0].Problem
            : string.Join("; ", problems.Select(p => $"stream {p.Stream}: {p.Problem}"));
    }
}
