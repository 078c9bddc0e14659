using System.Text.Json;
using System.Text.Json.Serialization;
using Edge.Camera.Sources;
using Edge.Cli.Commands;
using Edge.Runtime.Budget;
using Edge.Runtime.Inference;
using Edge.Runtime.Options;

namespace Edge.Cli.Configuration;

/// <summary>
/// Settings of <c>edge run</c>: defaults, then the config file, then EDGE_* environment variables, then flags.
/// Each layer leaves unset what it does not name; <see cref="Resolve"/> validates the merged result.
/// </summary>
public sealed class RunSettings
{
    [Setting("Model bundle folder (default: the bundled multifashion-resnet18)")]
    public string? Model { get; set; }

    [Setting("Frame source: synthetic[?seed=N&fps=N], v4l2:0, file:PATH[?loop=true], rtsp://[user:password@]host/path, gst:PIPELINE, images:DIR[?fps=N] (default: v4l2:0 if /dev/video0 exists, else synthetic)")]
    public string? Source { get; set; }

    [Setting("Stop after this many published label sets (0: run until the source ends or Ctrl+C)")]
    public long? Frames { get; set; }

    [Setting("End-to-end latency budget from capture to publish, in ms (default 100)")]
    public double? BudgetMs { get; set; }

    [Setting("Execution provider: auto (tensorrt -> cuda -> cpu), tensorrt, cuda or cpu")]
    public string? Ep { get; set; }

    [Setting("Where label-set JSON lines go: - for stdout (default) or a file (appended)")]
    public string? Output { get; set; }

    [Setting("ONNX Runtime intra-op threads (0: its default)")]
    public int? Threads { get; set; }

    [Setting("When ONNX Runtime's CPU worker threads busy-wait: always (its default; lowest latency, a core busy between frames), during-run or never (docs/benchmarking.md)")]
    public string? CpuSpin { get; set; }

    [Setting("Device id written into every message (default: host name)")]
    public string? Device { get; set; }

    [Setting("Stream id written into every label set and event: 1-64 characters of a-z 0-9 _ - (default cam0); with several --source flags, one --stream per source names them in order (default cam0, cam1, ...)")]
    public string? Stream { get; set; }

    [Setting("Several cameras in one process: each stream's id, source and overrides (docs/streams.md); --source given more than once makes this list, replacing the file's", FileOnly = true)]
    public IReadOnlyList<StreamSettings>? Streams { get; set; }

    [Setting("Further models run on the same frames as model, each with its name, bundle, budget and thresholds (docs/streams.md)", FileOnly = true)]
    public IReadOnlyList<HeadSettings>? Heads { get; set; }

    [Setting("Most frames one inference runs on, 1 to 256 (0: the bundle's maximum batch; default 0)")]
    public int? MaxBatch { get; set; }

    [Setting("Most streams a run accepts, 1 to 256 (default 16)")]
    public int? MaxStreams { get; set; }

    [Setting("Exponential smoothing of scores across frames, 0 (off) to <1")]
    public float? Smoothing { get; set; }

    [Setting("At most this many active labels per frame (0: no cap)")]
    public int? TopK { get; set; }

    [Setting("Frames that miss the budget: drop (never publish late), flag (publish marked late; default) or degrade (flag, and step down the degrade ladder while misses persist)")]
    public string? MissPolicy { get; set; }

    [Setting("Per-stage budgets in ms (queue, preprocess, inference, decode); the flag --stage-budget STAGE=MS sets one", FileOnly = true)]
    public StageBudgets? StageBudgetsMs { get; set; }

    [Setting("The degrade ladder and when to step down and up (docs/budgets.md)", FileOnly = true)]
    public DegradeOptions? Degrade { get; set; }

    [Setting("TensorRT execution-provider options (docs/execution-providers.md)", FileOnly = true)]
    public Edge.Runtime.Inference.TensorRt.TensorRtSettings? Tensorrt { get; set; }

    [Setting("CUDA execution-provider options (docs/execution-providers.md)", FileOnly = true)]
    public Edge.Runtime.Inference.TensorRt.CudaSettings? Cuda { get; set; }

    [Setting("Serve Prometheus metrics and /healthz on HOST:PORT (loopback unless a host is given), e.g. 127.0.0.1:9108 (docs/metrics.md)")]
    public string? Metrics { get; set; }

    [Setting("Serve the control API, live view, metrics and health on HOST:PORT, e.g. 127.0.0.1:8080; beyond loopback it needs the API token (EDGE_API_TOKEN or http_token_file; docs/http.md)")]
    public string? Http { get; set; }

    [Setting("A file holding the API token for http (EDGE_API_TOKEN wins); the token itself is never a flag or a config key (docs/http.md)")]
    public string? HttpTokenFile { get; set; }

    [Setting("Serve the live view without the API token (the control API still needs it; default false)", FileOnly = true)]
    public bool? HttpViewPublic { get; set; }

    [Setting("Serve http over HTTPS with this certificate: PEM (its key in the same file or http_certificate_key_file) or PKCS#12 (docs/http.md)")]
    public string? HttpCertificate { get; set; }

    [Setting("The PEM private key of http_certificate, when it is not in the certificate's file")]
    public string? HttpCertificateKeyFile { get; set; }

    [Setting("A file holding the password of http_certificate (a PKCS#12 file or an encrypted PEM key)")]
    public string? HttpCertificatePasswordFile { get; set; }

    [Setting("Push the metrics over OTLP/HTTP to this collector URL, e.g. http://collector:4318 (docs/metrics.md)")]
    public string? MetricsOtlpEndpoint { get; set; }

    [Setting("/healthz turns unhealthy when no frame was processed for this long (default 10 s)", FileOnly = true)]
    public double? HealthzStaleSeconds { get; set; }

    [Setting("Which streams must be alive for the systemd watchdog to be fed: required (default) or any (docs/service.md)", FileOnly = true)]
    public string? WatchdogStreams { get; set; }

    [Setting("GPIO outputs driven by label sets (docs/gpio.md)", FileOnly = true)]
    public Edge.Outputs.Gpio.GpioSettings? Gpio { get; set; }

    [Setting("SSD1306 status display (docs/display.md)", FileOnly = true)]
    public Edge.Outputs.Display.DisplaySettings? Display { get; set; }

    [Setting("MQTT publishing (docs/mqtt.md); --mqtt URI and EDGE_MQTT set its uri", FileOnly = true)]
    public Edge.Outputs.Mqtt.MqttSettings? Mqtt { get; set; }

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

        RefusedSecrets.CheckConfigFile(path, utf8, readerOptions);

        try
        {
            return JsonSerializer.Deserialize(text, SettingsJsonContext.Default.RunSettings)
                ?? throw new UserError(ExitCode.InvalidArguments, $"config file '{path}' is empty: expected a JSON object");
        }
        catch (JsonException exception)
        {
            throw new UserError(ExitCode.InvalidArguments, $"config file '{path}' is invalid: {exception.Message} (keys: {string.Join(", ", SettingKey.All.Select(key => key.Name))}; see docs/configuration.md)", exception);
        }
    }

    /// <summary><c>mqtt.uri</c> from the environment, a shortcut like the <c>--mqtt</c> flag.</summary>
    public const string MqttUriVariable = "EDGE_MQTT";

    /// <summary>The broker password; never a setting in the file (docs/mqtt.md).</summary>
    public const string MqttPasswordVariable = "EDGE_MQTT_PASSWORD";

    /// <summary>The <c>EDGE_*</c> layer: every layered setting's variable, and <c>EDGE_MQTT</c> for <c>mqtt.uri</c>.</summary>
    public static RunSettings FromEnvironment(Func<string, string?> read)
    {
        var settings = new RunSettings();
        foreach (var key in SettingKey.Layered)
        {
            key.ReadEnvironment(read, settings);
        }

        if (read(MqttUriVariable) is { Length: > 0 } uri)
        {
            settings.Mqtt = new Edge.Outputs.Mqtt.MqttSettings { Uri = uri };
        }

        return settings;
    }

    /// <summary>Every environment variable <c>edge run</c> reads.</summary>
    public static IReadOnlyList<string> EnvironmentVariables { get; } =
        [.. SettingKey.Layered.Select(key => key.EnvironmentVariable!), MqttUriVariable, MqttPasswordVariable, Edge.Server.Hosting.Security.ApiToken.Variable];

    /// <summary>Returns a new layer where every value set in <paramref name="overrides"/> replaces this one's; neither is changed.</summary>
    public RunSettings OverriddenBy(RunSettings overrides)
    {
        var merged = new RunSettings();
        foreach (var key in SettingKey.All)
        {
            key.Set(merged, key.ValueIn(overrides) ?? key.ValueIn(this));
        }

        merged.Mqtt = MergeMqtt(Mqtt, overrides.Mqtt);

        // Where frames come from is said once, by the latest layer that says it: a streams list replaces an earlier
        // source and stream id, a source (EDGE_SOURCE, one --source) replaces an earlier streams list.
        if (overrides.Streams is not null)
        {
            merged.Source = overrides.Source;
            merged.Stream = overrides.Stream;
        }
        else if (overrides.Source is not null)
        {
            merged.Streams = null;
        }

        return merged;
    }

    /// <summary>A later layer that only names a URI keeps the earlier layer's other MQTT settings.</summary>
    private static Edge.Outputs.Mqtt.MqttSettings? MergeMqtt(Edge.Outputs.Mqtt.MqttSettings? current, Edge.Outputs.Mqtt.MqttSettings? overrides)
    {
        if (overrides is null)
        {
            return current;
        }

        if (current is null || overrides.Uri is null)
        {
            return overrides.Uri is null && current is not null ? current : overrides;
        }

        return current.WithUri(overrides.Uri);
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

        if (MetricsOtlpEndpoint is { } otlp && !Edge.Outputs.Metrics.OtlpMetricsExport.IsValidEndpoint(otlp))
        {
            throw new SettingException("metrics_otlp_endpoint", otlp, "an http:// or https:// URL of an OpenTelemetry collector, e.g. http://collector:4318");
        }

        var watchdogText = WatchdogStreams ?? "required";
        if (!Edge.Cli.Service.WatchdogStreamsNames.TryParse(watchdogText, out var watchdogStreams))
        {
            throw new SettingException("watchdog_streams", watchdogText, Edge.Cli.Service.WatchdogStreamsNames.Expected);
        }

        if (Http is { } http && string.IsNullOrWhiteSpace(http))
        {
            throw new SettingException("http", "empty", "HOST:PORT such as 127.0.0.1:8080");
        }

        if (Mqtt is { Uri: { } mqttUri })
        {
            Edge.Outputs.Mqtt.MqttEndpoint.Parse(mqttUri);
            Mqtt.Validate();
        }

        var streams = ResolveStreams();
        var resolved = new ResolvedRunSettings
        {
            Model = Model ?? DefaultModelFor(ep, SessionFactory.AvailableProviders().ToList()),
            Source = streams.Count > 0 ? streams[0].Source : Source ?? DefaultSource(File.Exists),
            Frames = frames,
            BudgetMs = BudgetMs ?? 100,
            Ep = ep,
            Output = Output ?? "-",
            Threads = Threads ?? 0,
            CpuSpin = spin,
            Device = string.IsNullOrWhiteSpace(Device) ? Environment.MachineName : Device,
            Stream = streams.Count > 0 ? streams[0].Id : Stream ?? Edge.Runtime.Pipeline.StreamId.Default,
            Streams = streams,
            StreamOutputs = StreamOutputs(),
            Heads = Heads is null ? [] : [.. Heads.Select((head, index) => head.ToOptions(index))],
            MaxBatch = MaxBatch ?? 0,
            MaxStreams = MaxStreams ?? 16,
            Smoothing = Smoothing ?? 0,
            TopK = TopK ?? 0,
            MissPolicy = policy,
            StageBudgets = StageBudgetsMs ?? StageBudgets.None,
            Degrade = Degrade ?? new DegradeOptions(),
            Mqtt = Mqtt?.Uri is null ? null : Mqtt,
            Tensorrt = Tensorrt,
            Cuda = Cuda,
            Metrics = Metrics,
            Http = Http is null ? null : new HttpSettings(Http, HttpTokenFile, HttpViewPublic ?? false, HttpCertificate, HttpCertificateKeyFile, HttpCertificatePasswordFile),
            MetricsOtlpEndpoint = MetricsOtlpEndpoint is null ? null : new Uri(MetricsOtlpEndpoint),
            HealthzStale = TimeSpan.FromSeconds(HealthzStaleSeconds ?? 10),
            WatchdogStreams = watchdogStreams,
            Gpio = Gpio,
            Display = Display,
        };
        resolved.Validate();
        return resolved;
    }

    /// <summary>The streams list mapped to the core's options; empty when the run has one stream from source.</summary>
    private List<StreamOptions> ResolveStreams()
    {
        if (Streams is null)
        {
            return [];
        }

        if (Streams.Count == 0)
        {
            throw new SettingException("streams", "empty", "at least one stream {\"id\", \"source\"}; leave streams out for one stream from source");
        }

        // Both in one layer: which one was meant cannot be told (a later layer's replaces an earlier one's; OverriddenBy).
        if (Source is not null)
        {
            throw new SettingException("source", "set", "no source next to streams: give each stream its source in streams");
        }

        if (Stream is not null)
        {
            throw new SettingException("stream", Stream, "no stream id next to streams: give each stream its id in streams");
        }

        return [.. Streams.Select((stream, index) => stream.ToOptions(index))];
    }

    private List<StreamOutput> StreamOutputs() =>
        Streams is null ? [] : [.. Streams.Select((stream, index) => (stream, index)).Where(entry => entry.stream.Output is not null).Select(entry => new StreamOutput($"streams[{entry.index}].output", entry.stream.Id!, entry.stream.Output!))];

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
}

/// <summary>The validated settings of <c>edge run</c>: the pipeline's options and the app's outputs.</summary>
public sealed record ResolvedRunSettings : PipelineOptions
{
    /// <summary>Stop after this many published label sets; 0: no limit.</summary>
    public long Frames { get; init; }

    /// <summary>Where label-set JSON lines go: - for stdout, or a file (appended).</summary>
    public string Output { get; init; } = "-";

    /// <summary>The streams whose label-set lines go to their own target instead of <see cref="Output"/>.</summary>
    public IReadOnlyList<StreamOutput> StreamOutputs { get; init; } = [];

    public Edge.Outputs.Mqtt.MqttSettings? Mqtt { get; init; }

    public string? Metrics { get; init; }

    /// <summary>The full HTTP server (control API, live view, metrics, health), or null when <c>http</c> is not set.</summary>
    public HttpSettings? Http { get; init; }

    /// <summary>Where the metrics are pushed over OTLP, or null.</summary>
    public Uri? MetricsOtlpEndpoint { get; init; }

    public TimeSpan HealthzStale { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Which streams must be alive for the systemd watchdog to be fed.</summary>
    public Edge.Cli.Service.WatchdogStreams WatchdogStreams { get; init; }

    public Edge.Outputs.Gpio.GpioSettings? Gpio { get; init; }

    public Edge.Outputs.Display.DisplaySettings? Display { get; init; }
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    ReadCommentHandling = JsonCommentHandling.Skip,
    AllowTrailingCommas = true,
    AllowDuplicateProperties = false, // a key given twice is an operator error, not "the last one wins"
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(RunSettings))]
internal sealed partial class SettingsJsonContext : JsonSerializerContext;
