using Edge.Runtime.Inference.TensorRt;
using Edge.Runtime.Options;
using Microsoft.ML.OnnxRuntime;

namespace Edge.Runtime.Inference;

/// <summary>
/// Builds <see cref="SessionOptions"/> for the requested execution provider. <c>auto</c> tries TensorRT, then CUDA,
/// then CPU and reports why each skipped one was skipped; an explicit provider that is not available is an error.
/// </summary>
public static class SessionFactory
{
    public static IReadOnlyList<string> AvailableProviders() => OrtEnv.Instance().GetAvailableProviders();

    /// <param name="model">The model's hash, precision, input and largest batch, for the TensorRT engine cache key and optimization profile (<see cref="ModelIdentity.For"/>); hashed from the file, without a profile, when null.</param>
    /// <param name="tensorRt">TensorRT settings; defaults when null.</param>
    /// <param name="cuda">CUDA settings; defaults when null.</param>
    /// <param name="spin">When ONNX Runtime's CPU worker threads busy-wait.</param>
    public static (InferenceSession Session, ExecutionProviderReport Report) Create(
        string modelPath,
        ExecutionProviderChoice choice,
        int threads,
        ModelIdentity? model = null,
        TensorRtSettings? tensorRt = null,
        CudaSettings? cuda = null,
        CpuSpin spin = CpuSpin.Always)
    {
        var available = AvailableProviders();
        var skipped = new List<string>();
        var order = choice == ExecutionProviderChoice.Auto
            ? [ExecutionProviderChoice.TensorRt, ExecutionProviderChoice.Cuda, ExecutionProviderChoice.Cpu]
            : new[] { choice };

        foreach (var candidate in order)
        {
            var providerName = candidate switch
            {
                ExecutionProviderChoice.TensorRt => ExecutionProviderNames.TensorRt,
                ExecutionProviderChoice.Cuda => ExecutionProviderNames.Cuda,
                _ => ExecutionProviderNames.Cpu,
            };
            var shortName = ExecutionProviderNames.ShortName(candidate);
            if (!available.Contains(providerName))
            {
                var reason = $"{shortName} skipped: this ONNX Runtime build has no {providerName} (available: {string.Join(", ", available)})";
                if (choice != ExecutionProviderChoice.Auto)
                {
                    throw new SettingException(
                        "ep",
                        shortName,
                        "auto or cpu, or an ONNX Runtime built with it (docs/execution-providers.md)",
                        $"is not available: this ONNX Runtime build has no {providerName} (available: {string.Join(", ", available)})");
                }

                skipped.Add(reason);
                continue;
            }

            var options = BaseOptions(threads, spin);
            var modelToLoad = modelPath;
            try
            {
                switch (candidate)
                {
                    case ExecutionProviderChoice.TensorRt:
                        model ??= new ModelIdentity(Bundles.ModelBundle.HashFile(modelPath), "unknown");
                        modelToLoad = TensorRtProviderOptions.AppendTo(options, tensorRt ?? new TensorRtSettings(), model).ContextModel ?? modelPath;
                        break;
                    case ExecutionProviderChoice.Cuda:
                        CudaProviderOptions.AppendTo(options, cuda ?? new CudaSettings());
                        break;
                }

                var session = new InferenceSession(modelToLoad, options);
                return (session, new ExecutionProviderReport(shortName, skipped));
            }
            catch (SettingException)
            {
                options.Dispose();
                throw;
            }
            catch (Exception exception) when (candidate != ExecutionProviderChoice.Cpu
                && exception is OnnxRuntimeException or IOException or UnauthorizedAccessException)
            {
                options.Dispose();
                if (choice != ExecutionProviderChoice.Auto)
                {
                    throw new SettingException("ep", shortName, "auto or cpu, or a working GPU stack (docs/execution-providers.md)", $"failed to start: {exception.Message.ReplaceLineEndings(" ")}", exception);
                }

                skipped.Add($"{shortName} skipped: {exception.Message.ReplaceLineEndings(" ")}");
            }
            catch (OnnxRuntimeException exception)
            {
                options.Dispose();
                throw new Bundles.ModelBundleException($"model file '{modelPath}' could not be loaded by ONNX Runtime: {exception.Message.ReplaceLineEndings(" ")}", exception);
            }
        }

        throw new InvalidOperationException("no execution provider could run the model");
    }

    private static SessionOptions BaseOptions(int threads, CpuSpin spin)
    {
        var options = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            IntraOpNumThreads = threads,
            InterOpNumThreads = 1,
        };
        foreach (var (key, value) in spin.SessionConfigEntries())
        {
            options.AddSessionConfigEntry(key, value);
        }

        return options;
    }
}
