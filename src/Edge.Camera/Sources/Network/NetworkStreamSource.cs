using System.Runtime.CompilerServices;
using Edge.Camera.Frames;

namespace Edge.Camera.Sources.Network;

/// <summary>
/// An IP camera's RTSP stream (<c>rtsp://</c>, <c>rtsps://</c>) decoded by GStreamer in this process: <c>rtspsrc</c>
/// over TCP with no jitter buffering, then <c>decodebin</c> (a hardware
/// decoder where GStreamer ranks one first, as on Jetson), conversion to BGR, and an <c>appsink</c> that keeps only
/// the newest frame, so a slow reader never builds up a backlog. Credentials are taken out of the URL and given to
/// the source element as properties: they never appear in the pipeline description, a command line or a message.
/// </summary>
internal sealed class NetworkStreamSource : IFrameSource
{
    public static readonly TimeSpan OpenTimeout = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(5);

    // Reads wait in slices so that an error on the bus (a dropped connection) ends the wait early.
    private const ulong PullSliceNanoseconds = 100 * Gst.NanosecondsPerMillisecond;

    private readonly StreamLocation location;
    private nint pipeline;
    private nint sink;
    private nint bus;
    private nint pendingSample;
    private bool disposed;

    private NetworkStreamSource(StreamLocation location)
    {
        this.location = location;
    }

    public string Description => location.Masked;

    public double? PacingFps => null;

    /// <summary>Why the last read failed: the connection's error, the end of the stream, or no frame within the timeout.</summary>
    public string? FailureReason { get; private set; }

    public static NetworkStreamSource Create(SourceSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        spec.RejectUnknownOptions();
        return new NetworkStreamSource(StreamLocation.Parse(spec.Target));
    }

    public void Open()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        Close();
        var library = GStreamerLibrary.TryLoad(out var reason)
            ?? throw new FrameSourceException($"cannot open stream {Description}: {reason}");
        if (library.MissingFor(location.Scheme) is { } missing)
        {
            throw new FrameSourceException($"cannot open stream {Description}: {missing}");
        }

        try
        {
            Build(library);
            if (Gst.ElementSetState(pipeline, Gst.StatePlaying) == Gst.StateChangeFailure)
            {
                throw Failed(TakeBusError() ?? "the pipeline refused to start");
            }

            pendingSample = PullSample(OpenTimeout, out var failure);
            if (pendingSample == 0)
            {
                throw Failed(failure ?? StreamFailure.NoFrame(location, OpenTimeout));
            }
        }
        catch
        {
            Close();
            throw;
        }
    }

    // Compiled optimised once: its first tier-up under tiered compilation allocated 64 bytes on the capture thread,
    // tens of frames into a run (measured by CaptureLoop_SteadyStream_AllocatesNothingPerFrame).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public FrameReadResult Read(Frame target)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (pipeline == 0)
        {
            return FrameReadResult.Failed;
        }

        var sample = pendingSample;
        pendingSample = 0;
        if (sample == 0)
        {
            sample = PullSample(ReadTimeout, out var failure);
            if (sample == 0)
            {
                FailureReason = failure ?? $"no frame for {ReadTimeout.TotalSeconds:0} s";
                return FrameReadResult.Failed;
            }
        }

        try
        {
            CopyToFrame(sample, target);
        }
        finally
        {
            Gst.MiniObjectUnref(sample);
        }

        target.ClearTruth();
        return FrameReadResult.Frame;
    }

    /// <summary>
    /// The next decoded sample, waiting up to <paramref name="timeout"/> in slices so that an error on the bus (a
    /// dropped connection) ends the wait early; 0 with the bus's error, or 0 with null when the time ran out.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // on the per-frame path, like Read
    private nint PullSample(TimeSpan timeout, out string? failure)
    {
        var deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (true)
        {
            failure = TakeBusError();
            if (failure is not null || Environment.TickCount64 >= deadline)
            {
                return 0;
            }

            var sample = Gst.AppSinkTryPullSample(sink, PullSliceNanoseconds);
            if (sample != 0)
            {
                return sample;
            }
        }
    }

    public void Close()
    {
        if (pendingSample != 0)
        {
            Gst.MiniObjectUnref(pendingSample);
            pendingSample = 0;
        }

        if (pipeline != 0)
        {
            Gst.ElementSetState(pipeline, Gst.StateNull);
        }

        Release(ref sink);
        Release(ref bus);
        Release(ref pipeline);
    }

    public void Dispose()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        Close();
    }

    private static void Release(ref nint gstObject)
    {
        if (gstObject != 0)
        {
            Gst.ObjectUnref(gstObject);
            gstObject = 0;
        }
    }

    private void Build(GStreamerLibrary library)
    {
        pipeline = Gst.ParseLaunch(NetworkPipelines.Describe(location.Scheme, library.HasNvidiaConverter), out var error);
        if (pipeline == 0 || error != 0)
        {
            var (_, _, message) = Gst.TakeError(error);
            throw Failed($"GStreamer could not build the pipeline ({message})");
        }

        sink = Gst.BinGetByName(pipeline, NetworkPipelines.SinkName);
        bus = Gst.ElementGetBus(pipeline);
        var source = Gst.BinGetByName(pipeline, NetworkPipelines.SourceName);
        try
        {
            Gst.SetObjectArgument(source, "location", location.WithoutCredentials);
            if (location.User is { } user)
            {
                Gst.SetObjectArgument(source, "user-id", user);
                Gst.SetObjectArgument(source, "user-pw", location.Password ?? string.Empty);
            }
        }
        finally
        {
            Gst.ObjectUnref(source);
        }
    }

    /// <summary>The first error (or else end of stream) waiting on the bus, as one line naming its cause; null when none.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private string? TakeBusError()
    {
        var message = Gst.BusTimedPopFiltered(bus, 0, Gst.MessageError);
        if (message != 0)
        {
            try
            {
                Gst.MessageParseError(message, out var error, out var debug);
                var (domain, code, text) = Gst.TakeError(error);
                return StreamFailure.Describe(location, domain, code, text, Gst.TakeString(debug));
            }
            finally
            {
                Gst.MiniObjectUnref(message);
            }
        }

        message = Gst.BusTimedPopFiltered(bus, 0, Gst.MessageEndOfStream);
        if (message == 0)
        {
            return null;
        }

        Gst.MiniObjectUnref(message);
        return "the server ended the stream";
    }

    private FrameSourceException Failed(string cause) => new($"cannot open stream {Description}: {cause}");

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private unsafe void CopyToFrame(nint sample, Frame target)
    {
        var structure = Gst.CapsGetStructure(Gst.SampleGetCaps(sample), 0);
        if (!Gst.StructureGetInt(structure, "width", out var width) || !Gst.StructureGetInt(structure, "height", out var height) || width <= 0 || height <= 0)
        {
            throw new FrameSourceException($"stream {Description} delivered a frame without a size: expected BGR video");
        }

        var buffer = Gst.SampleGetBuffer(sample);
        if (!Gst.BufferMap(buffer, out var map, Gst.MapRead))
        {
            throw new FrameSourceException($"stream {Description} delivered a frame that cannot be read");
        }

        try
        {
            // GStreamer pads each BGR row to a multiple of 4 bytes.
            var rowBytes = width * 3;
            var stride = (int)((long)map.Size / height);
            if (stride < rowBytes)
            {
                throw new FrameSourceException($"stream {Description} delivered {map.Size} bytes for a {width}x{height} frame: expected at least {rowBytes * height}");
            }

            target.Resize(width, height);
            var destination = target.PixelSpan;
            var source = (byte*)map.Data;
            if (stride == rowBytes)
            {
                new ReadOnlySpan<byte>(source, rowBytes * height).CopyTo(destination);
                return;
            }

            for (var y = 0; y < height; y++)
            {
                new ReadOnlySpan<byte>(source + ((long)y * stride), rowBytes).CopyTo(destination.Slice(y * rowBytes, rowBytes));
            }
        }
        finally
        {
            Gst.BufferUnmap(buffer, ref map);
        }
    }
}
