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
    private readonly OrtIoBinding binding;
    private readonly RunOptions runOptions;

    private ModelSession(InferenceSession session, ExecutionProviderReport report, float[] input, float[] output, long[] inputShape, long[] outputShape, string inputName, string outputName)
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
            runOptions = new RunOptions();
            disposables.Add(runOptions);
            binding = session.CreateIoBinding();
            binding.BindInput(inputName, inputValue);
            binding.BindOutput(outputName, outputValue);
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

    /// <summary>Time the session took to create (graph optimisation, provider set-up), for reports.</summary>
    public TimeSpan CreationTime { get; private init; }

    public static ModelSession Create(ModelBundle bundle, ExecutionProviderChoice choice, int threads)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var (session, report) = SessionFactory.Create(bundle.ModelPath, choice, threads);
        try
        {
            var (inputShape, outputShape) = SignatureCheck.Verify(bundle, session.InputMetadata, session.OutputMetadata);
            var input = new float[inputShape.Aggregate(1L, (a, b) => a * b)];
            var output = new float[outputShape.Aggregate(1L, (a, b) => a * b)];
            return new ModelSession(session, report, input, output, inputShape, outputShape, bundle.InputName, bundle.OutputName)
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

    public void Dispose()
    {
        binding.Dispose();
        runOptions.Dispose();
        outputValue.Dispose();
        inputValue.Dispose();
        session.Dispose();
    }
}
