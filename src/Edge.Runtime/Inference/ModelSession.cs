using Edge.Runtime.Bundles;
using Microsoft.ML.OnnxRuntime;

namespace Edge.Runtime.Inference;

/// <summary>
/// One ONNX Runtime session for a bundle, with its input and output tensors preallocated and bound once through
/// <see cref="OrtIoBinding"/>, so <see cref="Run"/> allocates nothing. The ONNX signature is checked against the
/// manifest at creation; a mismatch names the field.
/// </summary>
public sealed class ModelSession : IDisposable
{
    private readonly InferenceSession session;
    private readonly OrtValue inputValue;
    private readonly OrtValue outputValue;
    private readonly OrtValue? mapsValue;
    private readonly OrtIoBinding binding;
    private readonly RunOptions runOptions;
    private readonly Lock terminateGate = new();
    private bool terminateRequested;

    private ModelSession(InferenceSession session, ExecutionProviderReport report, float[] input, float[] output, long[] inputShape, long[] outputShape, string inputName, string outputName, (string Name, long[] Shape)? maps)
    {
        this.session = session;
        Report = report;
        Input = input;
        Output = output;
        var disposables = new List<IDisposable>();
        try
        {
            inputValue = OrtValue.CreateTensorValueFromMemory(input, inputShape);
            disposables.Add(inputValue);
            outputValue = OrtValue.CreateTensorValueFromMemory(output, outputShape);
            disposables.Add(outputValue);
            if (maps is { } m)
            {
                Maps = new float[m.Shape.Aggregate(1L, (a, b) => a * b)];
                MapHeight = (int)m.Shape[2];
                MapWidth = (int)m.Shape[3];
                mapsValue = OrtValue.CreateTensorValueFromMemory(Maps, m.Shape);
                disposables.Add(mapsValue);
            }

            runOptions = new RunOptions();
            disposables.Add(runOptions);
            binding = session.CreateIoBinding();
            binding.BindInput(inputName, inputValue);
            binding.BindOutput(outputName, outputValue);
            if (maps is { } boundMaps)
            {
                binding.BindOutput(boundMaps.Name, mapsValue!);
            }
        }
        catch
        {
            foreach (var disposable in disposables)
            {
                disposable.Dispose();
            }

            throw;
        }
    }

    public ExecutionProviderReport Report { get; }

    /// <summary>The input tensor's memory (batch 1), written by the preprocessor.</summary>
    public float[] Input { get; }

    /// <summary>The output tensor's memory (one score per label), filled by <see cref="Run"/>.</summary>
    public float[] Output { get; }

    /// <summary>Per-label activation maps <c>[labels, MapHeight, MapWidth]</c> when bound, else null.</summary>
    public float[]? Maps { get; }

    public int MapHeight { get; }

    public int MapWidth { get; }

    /// <summary>Time the session took to create (graph optimisation, provider set-up), for reports.</summary>
    public TimeSpan CreationTime { get; private init; }

    /// <param name="bindMaps">Also fill <see cref="Maps"/> from the bundle's <c>output.maps</c> output on every run.</param>
    /// <param name="tensorRt">TensorRT engine and cache settings; defaults when null.</param>
    /// <param name="cuda">CUDA provider settings; defaults when null.</param>
    /// <param name="spin">When ONNX Runtime's CPU worker threads busy-wait (<c>cpu_spin</c>).</param>
    public static ModelSession Create(
        ModelBundle bundle,
        ExecutionProviderChoice choice,
        int threads,
        bool bindMaps = false,
        TensorRt.TensorRtSettings? tensorRt = null,
        TensorRt.CudaSettings? cuda = null,
        CpuSpin spin = CpuSpin.Always)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var (session, report) = SessionFactory.Create(
            bundle.ModelPath, choice, threads, TensorRt.ModelIdentity.For(bundle, maxBatch: 1), tensorRt, cuda, spin);
        try
        {
            var (inputShape, outputShape) = SignatureCheck.Verify(bundle, session.InputMetadata, session.OutputMetadata);
            (string, long[])? maps = null;
            if (bundle.MapsName is { } mapsName)
            {
                var mapsShape = SignatureCheck.VerifyMaps(bundle, session.OutputMetadata);
                maps = bindMaps ? (mapsName, mapsShape) : null;
            }

            var input = new float[inputShape.Aggregate(1L, (a, b) => a * b)];
            var output = new float[outputShape.Aggregate(1L, (a, b) => a * b)];
            return new ModelSession(session, report, input, output, inputShape, outputShape, bundle.InputName, bundle.OutputName, maps)
            {
                CreationTime = System.Diagnostics.Stopwatch.GetElapsedTime(started),
            };
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>Runs the model on <see cref="Input"/>; the scores land in <see cref="Output"/>.</summary>
    public void Run()
    {
        session.RunWithBinding(runOptions, binding);
    }

    /// <summary>
    /// Runs the model unless <see cref="RequestTerminate"/> stops it first: false when ONNX Runtime gave up because of
    /// that request (the outputs are then not valid). The request stays set until <see cref="ClearTerminate"/>, which
    /// whoever requested it calls once it can no longer fire.
    /// </summary>
    public bool TryRun()
    {
        try
        {
            session.RunWithBinding(runOptions, binding);
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
        binding.Dispose();
        runOptions.Dispose();
        mapsValue?.Dispose();
        outputValue.Dispose();
        inputValue.Dispose();
        session.Dispose();
    }
}
