using Edge.Runtime.Bundles;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Edge.Runtime.Inference;

/// <summary>Compares the manifest's input contract and labels with the ONNX model's declared inputs and outputs.</summary>
internal static class SignatureCheck
{
    /// <returns>The concrete batch-1 shapes to allocate for input and output.</returns>
    public static (long[] Input, long[] Output) Verify(ModelBundle bundle, IReadOnlyDictionary<string, NodeMetadata> inputs, IReadOnlyDictionary<string, NodeMetadata> outputs)
    {
        if (!inputs.TryGetValue(bundle.InputName, out var input))
        {
            throw Mismatch("input.name", $"is '{bundle.InputName}' but the model's inputs are {string.Join(", ", inputs.Keys)}");
        }

        if (inputs.Count != 1)
        {
            throw Mismatch("input.name", $"names one input but the model has {inputs.Count}: {string.Join(", ", inputs.Keys)}");
        }

        if (input.ElementDataType != TensorElementType.Float)
        {
            throw Mismatch("input", $"expects float32 pixels but the model's input '{bundle.InputName}' is {input.ElementDataType}");
        }

        var contract = bundle.Input;
        long[] expected = contract.Layout == TensorLayout.Nchw
            ? [1, 3, contract.Height, contract.Width]
            : [1, contract.Height, contract.Width, 3];
        var declared = input.Dimensions;
        if (declared.Length != 4)
        {
            throw Mismatch("input.layout", $"implies a 4-D tensor but the model's input is {Describe(declared)}");
        }

        VerifyBatchAxis(bundle, $"input '{bundle.InputName}'", declared);

        long[] transposed = contract.Layout == TensorLayout.Nchw
            ? [1, contract.Height, contract.Width, 3]
            : [1, 3, contract.Height, contract.Width];
        if (!Fits(declared, expected) && Fits(declared, transposed))
        {
            throw Mismatch("input.layout", $"is {contract.Layout.ToString().ToLowerInvariant()} (input shape {Describe(expected)}) but the model's input '{bundle.InputName}' is {Describe(declared)}: the other layout");
        }

        string[] names = contract.Layout == TensorLayout.Nchw ? ["batch", "channels", "input.height", "input.width"] : ["batch", "input.height", "input.width", "channels"];
        for (var axis = 0; axis < 4; axis++)
        {
            if (declared[axis] > 0 && declared[axis] != expected[axis])
            {
                var field = names[axis] is "batch" or "channels" ? "input.layout" : names[axis];
                throw Mismatch(field, $"gives input shape {Describe(expected)} but the model's input '{bundle.InputName}' is {Describe(declared)} ({names[axis]} differs)");
            }
        }

        if (!outputs.TryGetValue(bundle.OutputName, out var output))
        {
            throw Mismatch("output.name", $"is '{bundle.OutputName}' but the model's outputs are {string.Join(", ", outputs.Keys)}");
        }

        if (output.ElementDataType != TensorElementType.Float)
        {
            throw Mismatch("output", $"expects float32 scores but '{bundle.OutputName}' is {output.ElementDataType}");
        }

        var outputDims = output.Dimensions;
        if (outputDims.Length > 0)
        {
            VerifyBatchAxis(bundle, $"output '{bundle.OutputName}'", outputDims);
        }

        var width = outputDims.Length == 0 ? -1 : outputDims[^1];
        if (outputDims.Length != 2 || (outputDims[0] > 1) || width != bundle.Labels.Count)
        {
            throw Mismatch("labels", $"lists {bundle.Labels.Count} labels but the model's output '{bundle.OutputName}' is {Describe(outputDims)}: expected [1, {bundle.Labels.Count}]");
        }

        return (expected, [1, bundle.Labels.Count]);
    }

    /// <summary>
    /// The first dimension of <paramref name="declared"/> against the manifest's batch axis: symbolic when the manifest
    /// says dynamic (else the runtime could not feed it more than one image), and at most 1 when it says fixed.
    /// </summary>
    private static void VerifyBatchAxis(ModelBundle bundle, string what, int[] declared)
    {
        var first = declared[0];
        if (bundle.Batch.Dynamic && first > 0)
        {
            throw Mismatch("batch.dynamic", $"is true but the model's {what} is {Describe(declared)}: its batch axis is fixed at {first}; expected a symbolic first dimension (e.g. \"N\") or batch.dynamic false");
        }

        if (!bundle.Batch.Dynamic && first > 1)
        {
            var (field, given) = bundle.Manifest.Batch is null ? ("batch", "is absent") : ("batch.dynamic", "is false");
            throw Mismatch(field, $"{given} (a fixed batch of 1) but the model's {what} is {Describe(declared)}: a fixed batch axis must be 1; expected a model exported with batch 1, or a symbolic first dimension and batch.dynamic true");
        }
    }

    /// <summary>True when every fixed axis of <paramref name="declared"/> equals <paramref name="shape"/> (dynamic axes fit anything).</summary>
    private static bool Fits(int[] declared, long[] shape)
    {
        for (var axis = 0; axis < shape.Length; axis++)
        {
            if (declared[axis] > 0 && declared[axis] != shape[axis])
            {
                return false;
            }
        }

        return true;
    }

    /// <returns>The batch-1 shape of the activation-map output named by <c>output.maps</c>.</returns>
    public static long[] VerifyMaps(ModelBundle bundle, IReadOnlyDictionary<string, NodeMetadata> outputs)
    {
        var name = bundle.MapsName ?? throw new InvalidOperationException("bundle has no output.maps");
        if (!outputs.TryGetValue(name, out var maps))
        {
            throw Mismatch("output.maps", $"is '{name}' but the model's outputs are {string.Join(", ", outputs.Keys)}");
        }

        var dims = maps.Dimensions;
        if (dims.Length > 0)
        {
            VerifyBatchAxis(bundle, $"output '{name}'", dims);
        }

        if (maps.ElementDataType != TensorElementType.Float || dims.Length != 4 || dims[0] > 1 || dims[1] != bundle.Labels.Count || dims[2] < 1 || dims[3] < 1)
        {
            throw Mismatch("output.maps", $"names '{name}', which is {maps.ElementDataType} {Describe(dims)}: expected float [1, {bundle.Labels.Count}, height, width] with a fixed height and width");
        }

        return [1, bundle.Labels.Count, dims[2], dims[3]];
    }

    private static string Describe(IEnumerable<long> dims) => "[" + string.Join(", ", dims.Select(d => d < 0 ? "?" : d.ToString(System.Globalization.CultureInfo.InvariantCulture))) + "]";

    private static string Describe(int[] dims) => Describe(dims.Select(d => (long)d));

    private static ModelBundleException Mismatch(string field, string problem) =>
        new($"manifest field '{field}' {problem}");
}
