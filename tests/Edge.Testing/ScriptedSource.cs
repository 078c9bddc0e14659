using Edge.Camera.Frames;
using Edge.Camera.Sources;

namespace Edge.Testing;

/// <summary>What a <see cref="ScriptedSource"/> does on one read.</summary>
internal enum ReadStep
{
    Frame,
    Failed,
    End,
    Throw,
    Fatal,
}

/// <summary>
/// A camera that misbehaves on cue: <c>open(n)</c> says whether open call n (1-based) throws, <c>read(n)</c> what read
/// call n (1-based) does. Records calls and the clock at each open. Allocation-free per read.
/// </summary>
internal sealed class ScriptedSource(Func<int, ReadStep> read, Func<int, bool>? openFails = null, double? pacingFps = null, TimeProvider? time = null)
    : IFrameSource
{
    private readonly Lock gate = new();
    private readonly List<TimeSpan> openTimes = [];
    private readonly DateTimeOffset origin = (time ?? TimeProvider.System).GetUtcNow();
    private int openCalls;
    private int closeCalls;
    private int readCalls;
    private volatile bool disposed;

    public string Description => "scripted";

    public double? PacingFps => pacingFps;

    public int OpenCalls => Volatile.Read(ref openCalls);

    public int CloseCalls => Volatile.Read(ref closeCalls);

    public int ReadCalls => Volatile.Read(ref readCalls);

    public bool Disposed => disposed;

    public FrameSourceException FatalError { get; } = new("scripted fatal error");

    /// <summary>Clock time of each open call since the source was made.</summary>
    public IReadOnlyList<TimeSpan> OpenTimes
    {
        get
        {
            lock (gate)
            {
                return [.. openTimes];
            }
        }
    }

    public void Open()
    {
        var call = Interlocked.Increment(ref openCalls);
        lock (gate)
        {
            openTimes.Add((time ?? TimeProvider.System).GetUtcNow() - origin);
        }

        if (openFails?.Invoke(call) == true)
        {
            throw new FrameSourceException($"scripted open failure {call}");
        }
    }

    public void Close() => Interlocked.Increment(ref closeCalls);

    public FrameReadResult Read(Frame target)
    {
        var call = Interlocked.Increment(ref readCalls);
        switch (read(call))
        {
            case ReadStep.Frame:
                target.Resize(4, 2);
                target.PixelSpan.Fill((byte)call);
                target.ClearTruth();
                return FrameReadResult.Frame;
            case ReadStep.Failed:
                return FrameReadResult.Failed;
            case ReadStep.End:
                return FrameReadResult.EndOfStream;
            case ReadStep.Throw:
                throw new InvalidOperationException($"scripted read exception {call}");
            default:
                throw FatalError;
        }
    }

    public void Dispose() => disposed = true;
}
