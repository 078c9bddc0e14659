using Edge.Runtime.Decoding;

namespace Edge.Runtime.Bundles;

/// <summary>Checks manifest fields one by one; each failure names the field and what it must be.</summary>
internal sealed class ManifestValidator(ModelManifest manifest)
{
    public PreprocessContract Input(string directory)
    {
        if (manifest.Format != ModelManifest.CurrentFormat)
        {
            Fail("format", $"is '{manifest.Format}', expected '{ModelManifest.CurrentFormat}'");
        }

        Require(manifest.Name, "name");
        Require(manifest.ModelFile, "model_file");
        if (manifest.Sha256 is not { Length: 64 } || !manifest.Sha256.All(Uri.IsHexDigit))
        {
            Fail("sha256", "must be the 64-character hex SHA-256 of the model file");
        }

        if (manifest.Quantization is { } quantization && quantization.Target is not ("cpu" or "tensorrt"))
        {
            Fail("quantization.target", $"is '{quantization.Target}', expected cpu or tensorrt");
        }

        if (manifest.Precision is not ("fp32" or "fp16" or "int8"))
        {
            Fail("precision", $"is '{manifest.Precision}', expected fp32, fp16 or int8");
        }

        var input = manifest.Input ?? throw Error("input", "is missing: expected the input contract object");
        Require(input.Name, "input.name");
        if (input.Width is < 1 or > 8192 || input.Height is < 1 or > 8192)
        {
            Fail("input.width/input.height", $"are {input.Width}x{input.Height}, expected 1..8192 each");
        }

        var layout = ParseEnum<TensorLayout>(input.Layout, "input.layout", "nchw or nhwc");
        var order = ParseEnum<ColorOrder>(input.ColorOrder, "input.color_order", "bgr or rgb");
        var resize = ParseEnum<ResizePolicy>(input.Resize?.Replace("_", string.Empty, StringComparison.Ordinal), "input.resize", "stretch, center_crop or letterbox");
        if (!(input.Scale > 0) || float.IsInfinity(input.Scale))
        {
            Fail("input.scale", $"is {input.Scale}, expected a positive number (1 for 0-255 input, 1/255 for 0-1)");
        }

        var mean = input.Mean ?? [0f, 0f, 0f];
        var std = input.Std ?? [1f, 1f, 1f];
        if (mean.Length != 3 || mean.Any(m => !float.IsFinite(m)))
        {
            Fail("input.mean", "must hold 3 finite numbers, in the model's colour order");
        }

        if (std.Length != 3 || std.Any(s => !(s > 0) || !float.IsFinite(s)))
        {
            Fail("input.std", "must hold 3 positive numbers, in the model's colour order");
        }

        if (input.LetterboxFill is < 0 or > 255)
        {
            Fail("input.letterbox_fill", $"is {input.LetterboxFill}, expected 0..255");
        }

        var meanImage = input.MeanImage is null ? null : ReadMeanImage(directory, input.MeanImage, input.Width * input.Height * 3);

        var output = manifest.Output ?? throw Error("output", "is missing: expected {\"name\": ..., \"kind\": \"logits\" | \"probabilities\"}");
        Require(output.Name, "output.name");
        ParseEnum<OutputKind>(output.Kind, "output.kind", "logits or probabilities");
        if (output.Maps is not null && (string.IsNullOrWhiteSpace(output.Maps) || output.Maps == output.Name))
        {
            Fail("output.maps", $"is '{output.Maps}': expected the name of the activation-map output, different from output.name");
        }

        return new PreprocessContract(input.Width, input.Height, layout, order, resize, input.Scale, mean, std, meanImage, (byte)input.LetterboxFill);
    }

    public IReadOnlyList<LabelThreshold> Labels()
    {
        if (manifest.Labels is not { Count: > 0 } labels)
        {
            throw Error("labels", "is missing or empty: expected a list of {name, threshold, off_threshold}");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<LabelThreshold>(labels.Count);
        for (var i = 0; i < labels.Count; i++)
        {
            var label = labels[i];
            if (string.IsNullOrWhiteSpace(label.Name) || !seen.Add(label.Name))
            {
                Fail($"labels[{i}].name", "must be a non-empty name, unique in the bundle");
            }

            if (!IsDatasetSafe(label.Name!))
            {
                Fail($"labels[{i}].name", $"is '{Edge.Camera.Sources.UserPath.Printable(label.Name!)}': {LabelNameRule}");
            }

            if (!(label.Threshold > 0 && label.Threshold < 1))
            {
                Fail($"labels[{i}].threshold", $"is {label.Threshold}, expected a score strictly between 0 and 1");
            }

            var off = label.OffThreshold ?? label.Threshold;
            if (!(off > 0 && off <= label.Threshold))
            {
                Fail($"labels[{i}].off_threshold", $"is {off}, expected above 0 and at most the threshold {label.Threshold}");
            }

            result.Add(new LabelThreshold(label.Name!, label.Threshold, off));
        }

        return result;
    }

    /// <summary>The batch axis; whether the ONNX file really has it is checked when the session is created.</summary>
    public BatchAxis Batch()
    {
        if (manifest.Batch is not { } batch)
        {
            return BatchAxis.Fixed;
        }

        if (batch.Dynamic is not { } dynamic)
        {
            throw Error("batch.dynamic", "is missing: expected true (a dynamic batch axis up to batch.max) or false (the model's own batch of 1)");
        }

        if (!dynamic)
        {
            if (batch.Max is { } fixedMax && fixedMax != 1)
            {
                Fail("batch.max", $"is {fixedMax} but batch.dynamic is false: expected 1 (a fixed batch axis is the model's own batch of 1) or batch.dynamic true");
            }

            return BatchAxis.Fixed;
        }

        if (batch.Max is not { } max)
        {
            throw Error("batch.max", $"is missing: expected the largest batch the runtime may form, 1..{BatchAxis.LargestMax}");
        }

        if (max is < 1 or > BatchAxis.LargestMax)
        {
            Fail("batch.max", $"is {max}, expected 1..{BatchAxis.LargestMax} (the largest batch the runtime may form)");
        }

        return new BatchAxis(true, max);
    }

    /// <summary>
    /// The <c>rescoring</c> block as a ready correction, or null when there is none. It corrects logits, so a model
    /// that emits probabilities cannot have one; the matrix is labels × labels and every number finite (a float32).
    /// </summary>
    public LogitRescoring? Rescoring(int labelCount)
    {
        if (manifest.Rescoring is not { } rescoring)
        {
            return null;
        }

        if (!string.Equals(manifest.Output?.Kind, "logits", StringComparison.OrdinalIgnoreCase))
        {
            Fail("rescoring", $"corrects logits, but output.kind is '{manifest.Output?.Kind}': expected no rescoring block for a model that emits probabilities");
        }

        if (rescoring.Kind != LogitRescoring.LinearLogits)
        {
            Fail("rescoring.kind", $"is '{rescoring.Kind}', expected {LogitRescoring.LinearLogits}");
        }

        if (rescoring.Matrix is not { } rows || rows.Length != labelCount)
        {
            throw Error("rescoring.matrix", $"has {rescoring.Matrix?.Length.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "no"} rows, expected {labelCount} x {labelCount} (labels x labels)");
        }

        var matrix = new float[labelCount * labelCount];
        for (var row = 0; row < labelCount; row++)
        {
            if (rows[row] is not { } values || values.Length != labelCount)
            {
                throw Error($"rescoring.matrix[{row}]", $"has {rows[row]?.Length.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "no"} values, expected {labelCount} (one per label)");
            }

            for (var column = 0; column < labelCount; column++)
            {
                matrix[(row * labelCount) + column] = Finite(values[column], $"rescoring.matrix[{row}][{column}]");
            }
        }

        var bias = new float[labelCount];
        if (rescoring.Bias is { } biasValues)
        {
            if (biasValues.Length != labelCount)
            {
                Fail("rescoring.bias", $"has {biasValues.Length} values, expected {labelCount} (one per label)");
            }

            for (var label = 0; label < labelCount; label++)
            {
                bias[label] = Finite(biasValues[label], $"rescoring.bias[{label}]");
            }
        }

        return new LogitRescoring(matrix, bias);
    }

    private static float Finite(double value, string field)
    {
        var single = (float)value;
        if (!float.IsFinite(single))
        {
            Fail(field, $"is {value.ToString(System.Globalization.CultureInfo.InvariantCulture)}, expected a finite number within float32 range");
        }

        return single;
    }

    /// <summary>
    /// Label names travel through the CSV dataset format (hard-frame folders, <c>edge eval</c>, the training recipe),
    /// where labels are separated by ';' and trimmed, so a name with ';', control characters or surrounding white
    /// space would come back as other labels.
    /// </summary>
    private const string LabelNameRule = "expected any characters but ';' and control characters, without leading or trailing white space (label names go into ';'-separated dataset columns)";

    private static bool IsDatasetSafe(string name) =>
        !name.Contains(';', StringComparison.Ordinal) && !name.Any(char.IsControl) && name.Trim() == name;

    /// <summary>The model file's path, confined to the bundle folder (checked again against symlinks once it exists).</summary>
    public string ModelPath(string directory) => BundlePath.Combine(directory, manifest.ModelFile!, "model_file");

    private static float[] ReadMeanImage(string directory, string relative, int expectedValues)
    {
        var path = BundlePath.Combine(directory, relative, "input.mean_image");
        if (!File.Exists(path))
        {
            throw Error("input.mean_image", $"names '{path}', which does not exist");
        }

        BundlePath.CheckLinks(directory, relative, "input.mean_image");

        var bytes = File.ReadAllBytes(path);
        if (bytes.Length != expectedValues * sizeof(float))
        {
            throw Error("input.mean_image", $"'{path}' holds {bytes.Length} bytes, expected {expectedValues * sizeof(float)} (float32, 3 x height x width)");
        }

        return System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes).ToArray();
    }

    private static T ParseEnum<T>(string? text, string field, string expected)
        where T : struct, Enum
    {
        // Enum.TryParse also accepts numbers and comma-separated lists ("stretch,letterbox" parses as Letterbox).
        if (text is null || !Enum.GetNames<T>().Contains(text, StringComparer.OrdinalIgnoreCase) || !Enum.TryParse<T>(text, ignoreCase: true, out var value))
        {
            throw Error(field, $"is '{text}', expected {expected}");
        }

        return value;
    }

    private static void Require(string? value, string field)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            Fail(field, "is missing or empty");
        }
    }

    private static void Fail(string field, string problem) => throw Error(field, problem);

    private static ModelBundleException Error(string field, string problem) => new($"manifest field '{field}' {problem}");
}
