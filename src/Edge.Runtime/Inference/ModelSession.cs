using Edge.Runtime.Bundles;
using Microsoft.ML.OnnxRuntime;

namespace Edge.Runtime.Inference;

/// <summary>
/// One ONNX Runtime session for a bundle, with its input and output tensors preallocated and bound once through
/// <see cref="OrtIoBinding"/>, so <see cref="Run()"/> allocates nothing. The ONNX signature is checked against the
/// manifest at creation; a mismatch names the field.
/// </summary>
public sealed class ModelSession : IDisposable
{
    private readonly InferenceSession session;
    private readonly List<IDisposable> owned = [];

    // bindings[n - 1] runs a batch of n: its tensors are views of the first n rows of the shared buffers, made once.
    private readonly OrtIoBinding[] bindings;
    private readonly RunOptions runOptions;
    private readonly Lock terminateGate = new();
    private readonly int inputLength;
    private readonly int outputLength;
    private readonly int mapsLength;
    private bool terminateRequested;

    private ModelSession(InferenceSession session, ExecutionProviderReport report, int maxBatch, long[] inputShape, long[] outputShape, string inputName, string outputName, (string Name, long[] Shape)? maps)
    {
        this.session = session;
        Report = report;
        MaxBatch = maxBatch;
        inputLength = (int)Elements(inputShape);
        outputLength = (int)Elements(outputShape);
        Input = new float[inputLength * maxBatch];
        Output = new float[outputLength * maxBatch];
        bindings = new OrtIoBinding[maxBatch];
        try
        {
            runOptions = new RunOptions();
            owned.Add(runOptions);
            if (maps is { } m)
            {
                mapsLength = (int)Elements(m.Shape);
                Maps = new float[mapsLength * maxBatch];
                MapHeight = (int)m.Shape[2];
                MapWidth = (int)m.Shape[3];
            }

            for (var batch = 1; batch <= maxBatch; batch++)
            {
                var binding = session.CreateIoBinding();
                owned.Add(binding);
                bindings[batch - 1] = binding;
                binding.BindInput(inputName, View(Input, inputLength, inputShape, batch));
                binding.BindOutput(outputName, View(Output, outputLength, outputShape, batch));
                if (maps is { } boundMaps)
                {
                    binding.BindOutput(boundMaps.Name, View(Maps!, mapsLength, boundMaps.Shape, batch));
                }
            }
        }
        catch
        {
            DisposeOwned();
            throw;
        }
    }

    public ExecutionProviderReport Report { get; }

    /// <summary>The most frames one run takes (1 unless the bundle has a dynamic batch axis and the session was made for more).</summary>
    public int MaxBatch { get; }

    /// <summary>The input tensor's memory for <see cref="MaxBatch"/> frames, row after row; <see cref="InputOf"/> is one row.</summary>
    public float[] Input { get; }

    /// <summary>The output tensor's memory (one score per label, per batch row), filled by <see cref="Run()"/>.</summary>
    public float[] Output { get; }

    /// <summary>Per-label activation maps <c>[batch, labels, MapHeight, MapWidth]</c> when bound, else null.</summary>
    public float[]? Maps { get; }

    public int MapHeight { get; }

    public int MapWidth { get; }

    /// <summary>Time the session took to create (graph optimisation, provider set-up), for reports.</summary>
    public TimeSpan CreationTime { get; private init; }

    /// <summary>What the session was created with, so a replacement (a model swap) can be made alike.</summary>
    public SessionSettings Settings { get; private init; } = new(ExecutionProviderChoice.Cpu, 1);

    /// <param name="bindMaps">Also fill <see cref="Maps"/> from the bundle's <c>output.maps</c> output on every run.</param>
    /// <param name="tensorRt">TensorRT engine and cache settings; defaults when null.</param>
    /// <param name="cuda">CUDA provider settings; defaults when null.</param>
    /// <param name="spin">When ONNX Runtime's CPU worker threads busy-wait (<c>cpu_spin</c>).</param>
    /// <param name="maxBatch">The most frames one run takes: 1, or up to the bundle's maximum when its batch axis is dynamic.</param>
    public static ModelSession Create(
        ModelBundle bundle,
        ExecutionProviderChoice choice,
        int threads,
        bool bindMaps = false,
        TensorRt.TensorRtSettings? tensorRt = null,
        TensorRt.CudaSettings? cuda = null,
        CpuSpin spin = CpuSpin.Always,
        int maxBatch = 1) =>
        Create(bundle, new SessionSettings(choice, threads, bindMaps, tensorRt, cuda, spin, maxBatch));

    public static ModelSession Create(ModelBundle bundle, SessionSettings settings)
    {
        var (choice, threads, bindMaps, tensorRt, cuda, spin, maxBatch) = settings;
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatch, 1);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var (session, report) = SessionFactory.Create(
            bundle.ModelPath, choice, threads, TensorRt.ModelIdentity.For(bundle, maxBatch), tensorRt, cuda, spin);
        try
        {
            var (inputShape, outputShape) = SignatureCheck.Verify(bundle, session.InputMetadata, session.OutputMetadata);
            (string, long[])? maps = null;
            if (bundle.MapsName is { } mapsName)
            {
                var mapsShape = SignatureCheck.VerifyMaps(bundle, session.OutputMetadata);
                maps = bindMaps ? (mapsName, mapsShape) : null;
            }

            return new ModelSession(session, report, maxBatch, inputShape, outputShape, bundle.InputName, bundle.OutputName, maps)
            {
                CreationTime = System.Diagnostics.Stopwatch.GetElapsedTime(started),
                Settings = settings,
            };
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>Batch row <paramref name="row"/> of the input, where the preprocessor writes a frame.</summary>
    public Span<float> InputOf(int row) => Input.AsSpan(row * inputLength, inputLength);

    /// <summary>The scores of batch row <paramref name="row"/> after a run.</summary>
    public ReadOnlySpan<float> OutputOf(int row) => Output.AsSpan(row * outputLength, outputLength);

    /// <summary>The activation maps of batch row <paramref name="row"/> after a run; empty when not bound.</summary>
    public ReadOnlySpan<float> MapsOf(int row) => Maps is null ? default : Maps.AsSpan(row * mapsLength, mapsLength);

    /// <summary>Runs the model on the first row of <see cref="Input"/>; the scores land in the first row of <see cref="Output"/>.</summary>
    public void Run() => Run(1);

    /// <summary>Runs the model on the first <paramref name="batch"/> rows of <see cref="Input"/>.</summary>
    public void Run(int batch)
    {
        session.RunWithBinding(runOptions, bindings[batch - 1]);
    }

    /// <summary>
    /// Runs the model unless <see cref="RequestTerminate"/> stops it first: false when ONNX Runtime gave up because of
    /// that request (the outputs are then not valid). The request stays set until <see cref="ClearTerminate"/>, which
    /// whoever requested it calls once it can no longer fire.
    /// </summary>
    public bool TryRun(int batch = 1)
    {
        try
        {
            session.RunWithBinding(runOptions, bindings[batch - 1]);
            return true;
        }
        catch (OnnxRuntimeException) when (Volatile.Read(ref terminateRequested))
        {
            return false;
        }
    }

    /// <summary>
    /// Asks a run in progress (or the next one) to stop at its next node boundary, through ONNX Runtime's
    /// <see cref="RunOptions.Terminate"/>. Safe to call from another thread (the deadline timer's).
    /// </summary>
    public void RequestTerminate()
    {
        lock (terminateGate)
        {
            Volatile.Write(ref terminateRequested, true);
            runOptions.Terminate = true;
        }
    }

    /// <summary>Withdraws a <see cref="RequestTerminate"/>, so the next run goes ahead.</summary>
    public void ClearTerminate()
    {
        lock (terminateGate)
        {
            if (terminateRequested)
            {
                runOptions.Terminate = false;
                Volatile.Write(ref terminateRequested, false);
            }
        }
    }

    public void Dispose()
    {
        DisposeOwned();
        session.Dispose();
    }

    private static long Elements(long[] shape) => shape.Aggregate(1L, (a, b) => a * b);

    private void DisposeOwned()
    {
        for (var i = owned.Count - 1; i >= 0; i--)
        {
            owned[i].Dispose();
        }

        owned.Clear();
    }

    /// <summary>An <see cref="OrtValue"/> over the first <paramref name="batch"/> rows of <paramref name="buffer"/>, owned by this session.</summary>
    private OrtValue View(float[] buffer, int rowLength, long[] rowShape, int batch)
    {
        var shape = (long[])rowShape.Clone();
        shape[0] = batch;
        var value = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, buffer.AsMemory(0, rowLength * batch), shape);
        owned.Add(value);
        return value;
    }
}

/// <summary>How a <see cref="ModelSession"/> is created (<see cref="ModelSession.Create(ModelBundle, SessionSettings)"/>).</summary>
/// <param name="BindMaps">Also fill the session's maps from the bundle's <c>output.maps</c> output on every run.</param>
/// <param name="MaxBatch">The most frames one run takes.</param>
public sealed record SessionSettings(
    ExecutionProviderChoice Ep,
    int Threads,
    bool BindMaps = false,
    TensorRt.TensorRtSettings? TensorRt = null,
    TensorRt.CudaSettings? Cuda = null,
    CpuSpin Spin = CpuSpin.Always,
    int MaxBatch = 1);
