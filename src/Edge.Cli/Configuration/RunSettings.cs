using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Edge.Camera.Sources;
using Edge.Runtime.Budget;
using Edge.Runtime.Cli;
using Edge.Runtime.Options;
using Edge.Runtime.Inference;

namespace Edge.Runtime.Configuration;

/// <summary>
/// Settings of <c>edge run</c>: defaults, then the config file, then EDGE_* environment variables, then flags.
/// Each layer leaves unset what it does not name; <see cref="Resolve"/> validates the merged result.
/// </summary>
public sealed class RunSettings
{
    public string? Model { get; set; }

    public string? Source { get; set; }

    public long? Frames { get; set; }

    public double? BudgetMs { get; set; }

    public string? Ep { get; set; }

    public string? Output { get; set; }

    public int? Threads { get; set; }

    /// <summary>always (default), during-run or never: when ONNX Runtime's CPU worker threads busy-wait.</summary>
    public string? CpuSpin { get; set; }

    public string? Device { get; set; }

    /// <summary>Stream id written into every message and event (default cam0).</summary>
    public string? Stream { get; set; }

    public float? Smoothing { get; set; }

    public int? TopK { get; set; }

    /// <summary>drop, flag or degrade (default flag).</summary>
    public string? MissPolicy { get; set; }

    public StageBudgets? StageBudgetsMs { get; set; }

    public DegradeOptions? Degrade { get; set; }

    /// <summary>TensorRT execution-provider options (docs/execution-providers.md), from the config file.</summary>
    public Inference.TensorRt.TensorRtSettings? Tensorrt { get; set; }

    /// <summary>CUDA execution-provider options, from the config file.</summary>
    public Inference.TensorRt.CudaSettings? Cuda { get; set; }

    /// <summary>Prometheus endpoint HOST:PORT (<c>--metrics</c>), off when unset.</summary>
    public string? Metrics { get; set; }

    /// <summary>/healthz turns unhealthy when no frame was processed for this long (default 10 s).</summary>
    public double? HealthzStaleSeconds { get; set; }

    /// <summary>GPIO outputs driven by label sets (docs/gpio.md), from the config file only.</summary>
    public Hardware.Gpio.GpioSettings? Gpio { get; set; }

    /// <summary>SSD1306 status display (docs/display.md), from the config file only.</summary>
    public Hardware.Display.DisplaySettings? Display { get; set; }

    /// <summary>MQTT publishing; <c>--mqtt URI</c> / <c>EDGE_MQTT</c> set its <c>uri</c>.</summary>
    public Publishing.Mqtt.MqttSettings? Mqtt { get; set; }

    /// <summary>The bundled FP32 model (what <c>edge quantize</c> starts from).</summary>
    public static string DefaultModelDirectory => Path.Combine(AppContext.BaseDirectory, "models", "multifashion-resnet18");

    /// <summary>
    /// The bundled model for an execution provider: the TensorRT INT8 build when TensorRT will run it, FP32 on CUDA,
    /// the CPU INT8 build on the CPU (each INT8 flavour is only fast where it was made for; docs/quantization.md).
    /// </summary>
    public static string DefaultModelFor(ExecutionProviderChoice ep, IReadOnlyCollection<string> availableProviders)
    {
        var effective = ep != ExecutionProviderChoice.Auto ? ep
            : availableProviders.Contains(ExecutionProviderNames.TensorRt) ? ExecutionProviderChoice.TensorRt
            : availableProviders.Contains(ExecutionProviderNames.Cuda) ? ExecutionProviderChoice.Cuda
            : ExecutionProviderChoice.Cpu;
        var name = effective switch
        {
            ExecutionProviderChoice.TensorRt => "multifashion-resnet18-int8-tensorrt",
            ExecutionProviderChoice.Cuda => "multifashion-resnet18",
            _ => "multifashion-resnet18-int8-cpu",
        };
        return Path.Combine(AppContext.BaseDirectory, "models", name);
    }

    /// <summary>The first V4L2 camera when one is plugged in, otherwise the synthetic camera.</summary>
    public static string DefaultSource(Func<string, bool> deviceExists) => deviceExists("/dev/video0") ? "v4l2:0" : "synthetic";

    public static RunSettings FromFile(string path)
    {
        if (UserPath.HasNul(path) || !File.Exists(path))
        {
            throw new UserError(ExitCode.InvalidArguments, $"--config file '{UserPath.Printable(path)}' does not exist: expected a JSON file (see docs/configuration.md)");
        }

        var text = File.ReadAllText(path); // strips a byte-order mark
        var utf8 = System.Text.Encoding.UTF8.GetBytes(text);
        var readerOptions = new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };
        if (JsonDefects.DuplicateKey(utf8, readerOptions) is { } duplicate)
        {
            throw new UserError(ExitCode.InvalidArguments, $"config file '{path}': {duplicate}: expected each key once per object");
        }

        if (JsonDefects.NulByte(utf8, readerOptions) is { } nul)
        {
            throw new UserError(ExitCode.InvalidArguments, $"config file '{path}': {nul}: expected text without NUL bytes (no path can hold one)");
        }

        try
        {
            return JsonSerializer.Deserialize(text, SettingsJsonContext.Default.RunSettings)
                ?? throw new UserError(ExitCode.InvalidArguments, $"config file '{path}' is empty: expected a JSON object");
        }
        catch (JsonException exception)
        {
            throw new UserError(ExitCode.InvalidArguments, $"config file '{path}' is invalid: {exception.Message} (keys: model, source, frames, budget_ms, miss_policy, stage_budgets_ms, degrade, tensorrt, cuda, mqtt, metrics, healthz_stale_seconds, gpio, display, ep, output, threads, cpu_spin, device, stream, smoothing, top_k; see docs/configuration.md)", exception);
        }
    }

    public static RunSettings FromEnvironment(Func<string, string?> read)
    {
        return new RunSettings
        {
            Model = read("EDGE_MODEL"),
            Source = read("EDGE_SOURCE"),
            Frames = Parse("EDGE_FRAMES", read, long.Parse),
            BudgetMs = Parse("EDGE_BUDGET_MS", read, s => double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture)),
            Ep = read("EDGE_EP"),
            Output = read("EDGE_OUTPUT"),
            Threads = Parse("EDGE_THREADS", read, int.Parse),
            CpuSpin = read("EDGE_CPU_SPIN"),
            Device = read("EDGE_DEVICE"),
            Stream = read("EDGE_STREAM") is { Length: > 0 } stream ? stream : null,
            Smoothing = Parse("EDGE_SMOOTHING", read, s => float.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture)),
            TopK = Parse("EDGE_TOP_K", read, int.Parse),
            MissPolicy = read("EDGE_MISS_POLICY"),
            Metrics = read("EDGE_METRICS"),
            Mqtt = read("EDGE_MQTT") is { Length: > 0 } uri ? new Publishing.Mqtt.MqttSettings { Uri = uri } : null,
        };
    }

    /// <summary>Returns a copy where every value set in <paramref name="overrides"/> replaces this one's.</summary>
    public RunSettings OverriddenBy(RunSettings overrides) => new()
    {
        Model = overrides.Model ?? Model,
        Source = overrides.Source ?? Source,
        Frames = overrides.Frames ?? Frames,
        BudgetMs = overrides.BudgetMs ?? BudgetMs,
        Ep = overrides.Ep ?? Ep,
        Output = overrides.Output ?? Output,
        Threads = overrides.Threads ?? Threads,
        CpuSpin = overrides.CpuSpin ?? CpuSpin,
        Device = overrides.Device ?? Device,
        Stream = overrides.Stream ?? Stream,
        Smoothing = overrides.Smoothing ?? Smoothing,
        TopK = overrides.TopK ?? TopK,
        MissPolicy = overrides.MissPolicy ?? MissPolicy,
        StageBudgetsMs = overrides.StageBudgetsMs ?? StageBudgetsMs,
        Degrade = overrides.Degrade ?? Degrade,
        Mqtt = MergeMqtt(Mqtt, overrides.Mqtt),
        Tensorrt = overrides.Tensorrt ?? Tensorrt,
        Cuda = overrides.Cuda ?? Cuda,
        Metrics = overrides.Metrics ?? Metrics,
        HealthzStaleSeconds = overrides.HealthzStaleSeconds ?? HealthzStaleSeconds,
        Gpio = overrides.Gpio ?? Gpio,
        Display = overrides.Display ?? Display,
    };

    /// <summary>A later layer that only names a URI keeps the earlier layer's other MQTT settings.</summary>
    private static Publishing.Mqtt.MqttSettings? MergeMqtt(Publishing.Mqtt.MqttSettings? current, Publishing.Mqtt.MqttSettings? overrides)
    {
        if (overrides is null)
        {
            return current;
        }

        if (current is null || overrides.Uri is null)
        {
            return overrides.Uri is null && current is not null ? current : overrides;
        }

        current.Uri = overrides.Uri;
        return current;
    }

    /// <summary>Validates the merged layers; throws <see cref="SettingException"/> naming the first bad key.</summary>
    public ResolvedRunSettings Resolve()
    {
        var frames = Frames ?? 0;
        if (frames < 0)
        {
            throw new SettingException("frames", frames, "0 (no limit) or more");
        }

        var ep = ParseName("ep", Ep ?? "auto", ExecutionProviderNames.Parse, "auto, tensorrt, cuda or cpu", Ep);
        var spin = ParseName("cpu_spin", CpuSpin ?? "always", CpuSpinNames.Parse, CpuSpinNames.Expected, CpuSpin);
        var policyText = MissPolicy ?? "flag";
        if (!MissPolicyNames.TryParse(policyText, out var policy))
        {
            throw new SettingException("miss_policy", policyText, MissPolicyNames.Expected);
        }

        if (HealthzStaleSeconds is { } stale && !(stale >= 0.1 && stale <= 86_400))
        {
            throw new SettingException("healthz_stale_seconds", stale, "0.1 to 86400 seconds");
        }

        if (Mqtt is { Uri: { } mqttUri })
        {
            Publishing.Mqtt.MqttEndpoint.Parse(mqttUri);
            Mqtt.Validate();
        }

        var resolved = new ResolvedRunSettings
        {
            Model = Model ?? DefaultModelFor(ep, SessionFactory.AvailableProviders().ToList()),
            Source = Source ?? DefaultSource(File.Exists),
            Frames = frames,
            BudgetMs = BudgetMs ?? 100,
            Ep = ep,
            Output = Output ?? "-",
            Threads = Threads ?? 0,
            CpuSpin = spin,
            Device = string.IsNullOrWhiteSpace(Device) ? Environment.MachineName : Device,
            Stream = Stream ?? Pipeline.StreamId.Default,
            Smoothing = Smoothing ?? 0,
            TopK = TopK ?? 0,
            MissPolicy = policy,
            StageBudgets = StageBudgetsMs ?? StageBudgets.None,
            Degrade = Degrade ?? new DegradeOptions(),
            Mqtt = Mqtt?.Uri is null ? null : Mqtt,
            Tensorrt = Tensorrt,
            Cuda = Cuda,
            Metrics = Metrics,
            HealthzStale = TimeSpan.FromSeconds(HealthzStaleSeconds ?? 10),
            Gpio = Gpio,
            Display = Display,
        };
        resolved.Validate();
        return resolved;
    }

    private static T ParseName<T>(string key, string text, Func<string, T> parse, string expected, string? given)
    {
        try
        {
            return parse(text);
        }
        catch (ArgumentException)
        {
            throw new SettingException(key, given, expected);
        }
    }

    private static T? Parse<T>(string name, Func<string, string?> read, Func<string, T> parse)
        where T : struct
    {
        var text = read(name);
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        try
        {
            return parse(text);
        }
        catch (FormatException)
        {
            throw new UserError(ExitCode.InvalidArguments, $"environment variable {name}='{text}' is not a valid {typeof(T).Name.ToLowerInvariant()}");
        }
        catch (OverflowException)
        {
            throw new UserError(ExitCode.InvalidArguments, $"environment variable {name}='{text}' is out of range");
        }
    }
}

/// <summary>The validated settings of <c>edge run</c>: the pipeline's options and the app's outputs.</summary>
public sealed record ResolvedRunSettings : PipelineOptions
{
    /// <summary>Stop after this many published label sets; 0: no limit.</summary>
    public long Frames { get; init; }

    /// <summary>Where label-set JSON lines go: - for stdout, or a file (appended).</summary>
    public string Output { get; init; } = "-";

    public Publishing.Mqtt.MqttSettings? Mqtt { get; init; }

    public string? Metrics { get; init; }

    public TimeSpan HealthzStale { get; init; } = TimeSpan.FromSeconds(10);

    public Hardware.Gpio.GpioSettings? Gpio { get; init; }

    public Hardware.Display.DisplaySettings? Display { get; init; }
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    ReadCommentHandling = JsonCommentHandling.Skip,
    AllowTrailingCommas = true,
    AllowDuplicateProperties = false, // a key given twice is an operator error, not "the last one wins"
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(RunSettings))]
internal sealed partial class SettingsJsonContext : JsonSerializerContext;
