using Edge.Runtime.Events;
using Edge.Runtime.Options;

namespace Edge.Outputs.Streams;

/// <summary>
/// Whether each stream of the run is alive: its camera delivers (no <c>camera_lost</c> since the last
/// <c>camera_recovered</c>) and one of its frames was processed recently (within what the asker allows: the watchdog
/// and <c>/healthz</c> each have their own window). Frames are recorded on the frame thread, camera events on the
/// capture threads, streams join and leave on a control thread, reads come from anywhere (a scrape, the watchdog), so
/// every field is read and written atomically; a stream is found by an ordinal scan of a small array, which allocates
/// nothing.
/// </summary>
/// <remarks>
/// Streams are only ever appended, so an index (<see cref="IndexOf"/>, below <see cref="Count"/>) names the same stream
/// for the whole run: a stream that leaves is marked absent (<see cref="IsPresent"/>) and no longer counts, and one that
/// joins again under the same id takes its old index back.
/// </remarks>
public sealed class StreamLiveness
{
    private const long NoFrameYet = long.MinValue;

    private readonly Lock gate = new();
    private volatile Entry[] entries;

    /// <param name="streams">The configured streams (<see cref="PipelineOptions.EffectiveStreams"/>); only they are tracked until others join.</param>
    public StreamLiveness(IReadOnlyList<StreamOptions> streams, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfZero(streams.Count);
        entries = [.. streams.Select(stream => new Entry(stream.Id, stream.Required))];
        Time = time;
    }

    public TimeProvider Time { get; }

    /// <summary>Every stream tracked so far, present or not, by index.</summary>
    public IReadOnlyList<string> Ids => [.. entries.Select(entry => entry.Id)];

    /// <summary>How many streams were ever tracked (indices run below it).</summary>
    public int Count => entries.Length;

    /// <summary>The index of a stream tracked so far (present or not), or -1 for any other id.</summary>
    public int IndexOf(string stream)
    {
        var current = entries;
        for (var i = 0; i < current.Length; i++)
        {
            if (string.Equals(current[i].Id, stream, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>The id of the stream at <paramref name="stream"/>.</summary>
    public string IdOf(int stream) => entries[stream].Id;

    /// <summary>Whether the stream at <paramref name="stream"/> runs now (it has not left, or has joined again).</summary>
    public bool IsPresent(int stream) => Volatile.Read(ref entries[stream].Present) != 0;

    /// <summary>A stream joined the run: tracked from now on (its index is returned; a stream that left takes its old one back, with no frame yet).</summary>
    public int Add(StreamOptions stream)
    {
        lock (gate)
        {
            var index = IndexOf(stream.Id);
            if (index < 0)
            {
                entries = [.. entries, new Entry(stream.Id, stream.Required)];
                return entries.Length - 1;
            }

            var entry = entries[index];
            Interlocked.Exchange(ref entry.LastFrame, NoFrameYet);
            Volatile.Write(ref entry.CameraLost, 0);
            Volatile.Write(ref entry.Required, stream.Required ? 1 : 0);
            Volatile.Write(ref entry.Present, 1);
            return index;
        }
    }

    /// <summary>A stream left the run: it no longer counts for liveness. Its index stays its.</summary>
    public void Remove(string stream)
    {
        var index = IndexOf(stream);
        if (index >= 0)
        {
            Volatile.Write(ref entries[index].Present, 0);
        }
    }

    public bool IsRequired(int stream) => Volatile.Read(ref entries[stream].Required) != 0;

    /// <summary>A frame of the stream was processed now; returns its index, or -1 for a stream not tracked (nothing recorded).</summary>
    public int RecordFrame(string stream)
    {
        var index = IndexOf(stream);
        if (index >= 0)
        {
            Interlocked.Exchange(ref entries[index].LastFrame, Time.GetTimestamp());
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
            Volatile.Write(ref entries[index].CameraLost, pipelineEvent.Kind == PipelineEventKind.CameraLost ? 1 : 0);
        }
    }

    public bool IsCameraLost(int stream) => Volatile.Read(ref entries[stream].CameraLost) != 0;

    /// <summary>How long ago a frame of the stream was last processed, or null before its first.</summary>
    public TimeSpan? SinceLastFrame(int stream)
    {
        var last = Interlocked.Read(ref entries[stream].LastFrame);
        return last == NoFrameYet ? null : Time.GetElapsedTime(last);
    }

    public bool IsAlive(int stream, TimeSpan staleAfter) => !IsCameraLost(stream) && SinceLastFrame(stream) is { } since && since <= staleAfter;

    /// <summary>Every present required stream alive (and, when none is required, at least one present stream).</summary>
    public bool RequiredAlive(TimeSpan staleAfter)
    {
        var anyRequired = false;
        for (var i = 0; i < Count; i++)
        {
            if (IsPresent(i) && IsRequired(i))
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

    /// <summary>The most recent frame of any present stream, or null before the first.</summary>
    public TimeSpan? SinceAnyFrame()
    {
        var latest = NoFrameYet;
        var current = entries;
        for (var i = 0; i < current.Length; i++)
        {
            if (Volatile.Read(ref current[i].Present) != 0)
            {
                latest = Math.Max(latest, Interlocked.Read(ref current[i].LastFrame));
            }
        }

        return latest == NoFrameYet ? null : Time.GetElapsedTime(latest);
    }

    public bool AnyAlive(TimeSpan staleAfter)
    {
        for (var i = 0; i < Count; i++)
        {
            if (IsPresent(i) && IsAlive(i, staleAfter))
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
    /// Why the run is not healthy: each required stream (of those running now) that is not processing (with a single
    /// stream, just why), or when no stream is required, that none is processing; null while healthy.
    /// </summary>
    public string? Unhealthy(TimeSpan staleAfter)
    {
        var present = Enumerable.Range(0, Count).Where(IsPresent).ToArray();
        var anyRequired = present.Any(IsRequired);
        var considered = present.Where(i => !anyRequired || IsRequired(i)).ToArray();
        var problems = considered.Select(i => (Stream: IdOf(i), Problem: Problem(i, staleAfter))).Where(p => p.Problem is not null).ToArray();
        if (problems.Length == 0 || (!anyRequired && problems.Length < considered.Length))
        {
            return null;
        }

        return present.Length == 1
            ? problems[0].Problem
            : string.Join("; ", problems.Select(p => $"stream {p.Stream}: {p.Problem}"));
    }

    /// <summary>One stream's state; its fields are read and written atomically (ints for flags).</summary>
    private sealed class Entry(string id, bool required)
    {
        public readonly string Id = id;
        public int Required = required ? 1 : 0;
        public int CameraLost;
        public long LastFrame = NoFrameYet;
        public int Present = 1;
    }
}
