using System.CommandLine;
using System.Runtime.InteropServices;
using System.Text.Json;
using Edge.Camera.Sources.Network;
using Edge.Camera.Sources.OpenCv;
using Edge.Cli.Configuration;
using Edge.Runtime.Bundles;
using Edge.Runtime.Inference;

namespace Edge.Cli.Commands;

/// <summary><c>edge info</c>: what this build can do on this machine, as a table or <c>--json</c>.</summary>
internal static class InfoCommand
{
    public static Command Create(Option<bool> verbose)
    {
        var json = new Option<bool>("--json") { Description = "Print machine-readable JSON" };
        var model = new Option<string?>("--model") { Description = "Model bundle to describe (default: the bundled model edge run picks for the available execution providers)" };
        var command = new Command("info", "Show versions, execution providers, video back-ends and the default model") { json, model };
        command.SetAction(parse => CommandRunner.Run(parse.GetValue(verbose), () =>
        {
            // The model `edge run` would load with --ep auto, so info describes what run uses.
            var report = Collect(parse.GetValue(model) ?? RunSettings.DefaultModelFor(ExecutionProviderChoice.Auto, SessionFactory.AvailableProviders().ToList()));
            if (parse.GetValue(json))
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(report, InfoJsonContext.Default.InfoReport));
            }
            else
            {
                PrintTable(report);
            }

            return ExitCode.Success;
        }));
        return command;
    }

    private static InfoReport Collect(string modelDirectory)
    {
        var openCv = OpenCvInfo.TryLoad(out var openCvProblem);
        var gstreamer = GStreamerLibrary.TryLoad(out var gstreamerProblem);
        ModelReport? model = null;
        string? modelProblem = null;
        try
        {
            var bundle = ModelBundle.Load(modelDirectory, verifyHash: false);
            model = new ModelReport(
                Path.GetFullPath(bundle.Directory),
                bundle.Name,
                bundle.Manifest.Version,
                bundle.Precision,
                bundle.Sha256,
                $"{bundle.Input.Width}x{bundle.Input.Height} {bundle.Input.ColorOrder.ToString().ToLowerInvariant()} {bundle.Input.Layout.ToString().ToLowerInvariant()}, {bundle.OutputKind.ToString().ToLowerInvariant()}",
                bundle.Labels.Select(l => l.Name).ToList(),
                bundle.Manifest.Description,
                bundle.Manifest.Provenance,
                DescribeRescoring(bundle));
        }
        catch (ModelBundleException exception)
        {
            modelProblem = exception.Message;
        }

        return new InfoReport(
            typeof(InfoCommand).Assembly.GetName().Version?.ToString(3) ?? "unknown",
            RuntimeInformation.OSDescription,
            RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant(),
            CpuModel(),
            Environment.ProcessorCount,
            RuntimeInformation.FrameworkDescription,
            Microsoft.ML.OnnxRuntime.OrtEnv.Instance().GetVersionString(),
            SessionFactory.AvailableProviders().ToList(),
            openCv is null ? null : new OpenCvReport(openCv.Version, openCv.HasGStreamer, openCv.HasFfmpeg, openCv.HasV4l2, openCv.FfmpegProtocols?.ToList()),
            openCvProblem,
            new StreamsReport(gstreamer?.Describe("rtsp") ?? $"unavailable: {gstreamerProblem}"),
            model,
            modelProblem);
    }

    private static void PrintTable(InfoReport report)
    {
        var o = Console.Out;
        o.WriteLine($"edge              {report.Version}");
        o.WriteLine($"os                {report.Os} ({report.Architecture})");
        o.WriteLine($"cpu               {report.Cpu} ({report.LogicalCores} logical cores)");
        o.WriteLine($".net              {report.Dotnet}");
        o.WriteLine($"onnx runtime      {report.OnnxRuntime}; providers: {string.Join(", ", report.ExecutionProviders)}");
        o.WriteLine(report.OpenCv is { } cv
            ? $"opencv            {cv.Version}; gstreamer {YesNo(cv.GStreamer)}, ffmpeg {YesNo(cv.Ffmpeg)}, v4l2 {YesNo(cv.V4l2)}"
            : $"opencv            not loaded: {report.OpenCvProblem} (only the synthetic source works)");
        o.WriteLine("sources");
        o.WriteLine(report.OpenCv is { } files
            ? $"  file: images:   OpenCV {files.Version} with FFmpeg{FfmpegProtocols(files.FfmpegProtocols)}"
            : "  file: images:   unavailable (OpenCV not loaded)");
        o.WriteLine($"  rtsp://         {report.Streams.Rtsp}");
        o.WriteLine(report.OpenCv is { GStreamer: true }
            ? "jetson cameras    csi: and usb-gst: can be opened (GStreamer present)"
            : "jetson cameras    csi: and usb-gst: cannot be opened (the loaded OpenCV has no GStreamer)");
        if (report.Model is { } m)
        {
            o.WriteLine($"default model     {m.Name} {m.Version} ({m.Precision}) at {m.Path}");
            o.WriteLine($"  input           {m.Input}");
            o.WriteLine($"  labels          {string.Join(", ", m.Labels)}");
            o.WriteLine($"  rescoring       {m.Rescoring ?? "none"}");
            if (m.Provenance is { ValueKind: JsonValueKind.Object } provenance && provenance.TryGetProperty("metrics", out var metrics))
            {
                o.WriteLine($"  test metrics    {Metric(metrics, "mAP")} mAP, {Metric(metrics, "CF1")} CF1, {Metric(metrics, "OF1")} OF1 ({Metric(metrics, "images")} {Text(metrics, "split")} images)");
            }
        }
        else
        {
            o.WriteLine($"default model     unavailable: {report.ModelProblem}");
        }
    }

    /// <summary>The bundle's label-dependency re-scoring in a line (how many label pairs it links, how it was fitted), or null.</summary>
    private static string? DescribeRescoring(ModelBundle bundle)
    {
        if (bundle.Rescoring is not { } rescoring)
        {
            return null;
        }

        var links = 0;
        for (var label = 0; label < rescoring.LabelCount; label++)
        {
            var row = rescoring.Row(label);
            for (var other = 0; other < row.Length; other++)
            {
                links += other != label && row[other] != 0 ? 1 : 0;
            }
        }

        var text = $"{bundle.Manifest.Rescoring!.Kind}, {links} label links";
        if (bundle.Manifest.Rescoring.Provenance is { ValueKind: JsonValueKind.Object } provenance)
        {
            text += $" ({Text(provenance, "graph")} graph, alpha {Metric(provenance, "alpha")}, validation mAP {Metric(provenance, "validation_mAP")} -> {Metric(provenance, "validation_mAP_rescored")})";
        }

        return text + "; edge eval --no-rescoring measures without it";
    }

    private static string Metric(JsonElement metrics, string name) =>
        metrics.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetDouble().ToString("0.##", System.Globalization.CultureInfo.InvariantCulture) : "?";

    private static string Text(JsonElement metrics, string name) =>
        metrics.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : "?";

    private static string YesNo(bool value) => value ? "yes" : "no";

    private static string FfmpegProtocols(List<string>? protocols)
    {
        if (protocols is null)
        {
            return string.Empty;
        }

        var network = protocols.Where(p => p is "tcp" or "udp" or "rtp" or "rtsp" or "http" or "https").ToList();
        return network.Count == 0
            ? $" (input protocols {string.Join(", ", protocols)}: no network protocols, so streams go through GStreamer)"
            : $" (input protocols {string.Join(", ", protocols)})";
    }

    private static string CpuModel()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/cpuinfo"))
            {
                if (line.StartsWith("model name", StringComparison.Ordinal) || line.StartsWith("Model", StringComparison.Ordinal))
                {
                    return line[(line.IndexOf(':') + 1)..].Trim();
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return RuntimeInformation.ProcessArchitecture.ToString();
    }
}

internal sealed record InfoReport(
    string Version,
    string Os,
    string Architecture,
    string Cpu,
    int LogicalCores,
    string Dotnet,
    string OnnxRuntime,
    List<string> ExecutionProviders,
    [property: System.Text.Json.Serialization.JsonPropertyName("opencv")] OpenCvReport? OpenCv,
    [property: System.Text.Json.Serialization.JsonPropertyName("opencv_problem")] string? OpenCvProblem,
    StreamsReport Streams,
    ModelReport? Model,
    string? ModelProblem);

internal sealed record OpenCvReport(
    string Version,
    [property: System.Text.Json.Serialization.JsonPropertyName("gstreamer")] bool GStreamer,
    bool Ffmpeg,
    bool V4l2,
    List<string>? FfmpegProtocols);

/// <summary>What decodes each kind of network stream on this machine, or why it cannot be read.</summary>
internal sealed record StreamsReport(string Rtsp);

internal sealed record ModelReport(
    string Path,
    string Name,
    string? Version,
    string Precision,
    string Sha256,
    string Input,
    List<string> Labels,
    string? Description,
    JsonElement? Provenance,
    string? Rescoring);

[System.Text.Json.Serialization.JsonSourceGenerationOptions(
    PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.SnakeCaseLower,
    WriteIndented = true)]
[System.Text.Json.Serialization.JsonSerializable(typeof(InfoReport))]
internal sealed partial class InfoJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
