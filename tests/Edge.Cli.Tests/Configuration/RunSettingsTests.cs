using Edge.Cli.Commands;
using Edge.Cli.Configuration;
using Edge.Runtime.Inference;
using Edge.Runtime.Options;

namespace Edge.Cli.Tests.Configuration;

public sealed class RunSettingsTests
{
    [Fact]
    public void Resolve_NothingSet_GivesDocumentedDefaults()
    {
        var settings = new RunSettings().Resolve();

        // This ONNX Runtime build runs on the CPU only: the CPU INT8 build of the bundled model.
        Assert.Equal(RunSettings.DefaultModelFor(ExecutionProviderChoice.Cpu, []), settings.Model);
        Assert.Equal("synthetic", settings.Source);
        Assert.Equal(0, settings.Frames);
        Assert.Equal(100, settings.BudgetMs);
        Assert.Equal(ExecutionProviderChoice.Auto, settings.Ep);
        Assert.Equal("-", settings.Output);
        Assert.Equal(0, settings.Threads);
        Assert.Equal(Environment.MachineName, settings.Device);
        Assert.Equal(0f, settings.Smoothing);
        Assert.Equal(0, settings.TopK);
        Assert.Equal(CpuSpin.Always, settings.CpuSpin);
        Assert.Equal("cam0", settings.Stream);
    }

    [Fact]
    public void Resolve_CpuSpinFromFileEnvironmentAndFlag_LaterLayersWin()
    {
        using var folder = TestBundle.CreateEmpty();
        var path = folder.WriteFile("edge.json", """{ "cpu_spin": "never" }"""u8.ToArray());
        var fromFile = RunSettings.FromFile(path);
        var fromEnvironment = RunSettings.FromEnvironment(name => name == "EDGE_CPU_SPIN" ? "during-run" : null);

        Assert.Equal(CpuSpin.Never, fromFile.Resolve().CpuSpin);
        Assert.Equal(CpuSpin.DuringRun, fromFile.OverriddenBy(fromEnvironment).Resolve().CpuSpin);
        Assert.Equal(CpuSpin.Always, fromFile.OverriddenBy(fromEnvironment).OverriddenBy(new RunSettings { CpuSpin = "ALWAYS" }).Resolve().CpuSpin);
    }

    [Fact]
    public void Resolve_UnknownCpuSpin_ThrowsOneLineNamingKeyAndChoices()
    {
        var error = Assert.Throws<SettingException>(new RunSettings { CpuSpin = "sometimes" }.Resolve);

        Assert.Equal("cpu_spin", error.Key);
        Assert.Equal("setting 'cpu_spin' is sometimes: expected always, during-run or never", error.Message);
    }

    [Fact]
    public void Resolve_FileEnvironmentFlags_LaterLayersWin()
    {
        using var folder = TestBundle.CreateEmpty();
        var path = folder.WriteFile("edge.json", """
            // settings for the rover
            { "source": "v4l2:0", "budget_ms": 80, "ep": "cpu", "device": "from-file", "smoothing": 0.3, "top_k": 3, "frames": 10, }
            """u8.ToArray());
        var environment = new Dictionary<string, string>
        {
            ["EDGE_BUDGET_MS"] = "70.5",
            ["EDGE_DEVICE"] = "from-env",
            ["EDGE_TOP_K"] = "4",
            ["EDGE_THREADS"] = "2",
        };
        var flags = new RunSettings { Device = "from-flag", Threads = 6 };

        var settings = new RunSettings()
            .OverriddenBy(RunSettings.FromFile(path))
            .OverriddenBy(RunSettings.FromEnvironment(name => environment.GetValueOrDefault(name)))
            .OverriddenBy(flags)
            .Resolve();

        Assert.Equal("v4l2:0", settings.Source);          // file only
        Assert.Equal(10, settings.Frames);                // file only
        Assert.Equal(ExecutionProviderChoice.Cpu, settings.Ep);
        Assert.Equal(0.3f, settings.Smoothing);
        Assert.Equal(70.5, settings.BudgetMs);            // env over file
        Assert.Equal(4, settings.TopK);                   // env over file
        Assert.Equal("from-flag", settings.Device);       // flag over env over file
        Assert.Equal(6, settings.Threads);                // flag over env
        Assert.Equal("-", settings.Output);               // default
        Assert.Equal(RunSettings.DefaultModelFor(ExecutionProviderChoice.Cpu, []), settings.Model);
    }

    [Fact]
    public void OverriddenBy_EmptyOverrides_KeepsEveryValue()
    {
        var original = Full("a");

        var merged = original.OverriddenBy(new RunSettings());

        AssertSame(original, merged);
    }

    [Fact]
    public void OverriddenBy_FullOverrides_ReplacesEveryValue()
    {
        var overrides = Full("b");

        var merged = Full("a").OverriddenBy(overrides);

        AssertSame(overrides, merged);
    }

    [Fact]
    public void FromEnvironment_AllVariables_AreRead()
    {
        var environment = new Dictionary<string, string>
        {
            ["EDGE_MODEL"] = "/models/x",
            ["EDGE_SOURCE"] = "rtsp://cam/1",
            ["EDGE_FRAMES"] = "25",
            ["EDGE_BUDGET_MS"] = "33.3",
            ["EDGE_EP"] = "cuda",
            ["EDGE_OUTPUT"] = "/tmp/out.jsonl",
            ["EDGE_THREADS"] = "3",
            ["EDGE_DEVICE"] = "rover-9",
            ["EDGE_STREAM"] = "gate-2",
            ["EDGE_SMOOTHING"] = "0.25",
            ["EDGE_TOP_K"] = "2",
        };

        var settings = RunSettings.FromEnvironment(name => environment.GetValueOrDefault(name));

        Assert.Equal("/models/x", settings.Model);
        Assert.Equal("rtsp://cam/1", settings.Source);
        Assert.Equal(25, settings.Frames);
        Assert.Equal(33.3, settings.BudgetMs);
        Assert.Equal("cuda", settings.Ep);
        Assert.Equal("/tmp/out.jsonl", settings.Output);
        Assert.Equal(3, settings.Threads);
        Assert.Equal("rover-9", settings.Device);
        Assert.Equal("gate-2", settings.Stream);
        Assert.Equal(0.25f, settings.Smoothing);
        Assert.Equal(2, settings.TopK);
    }

    [Fact]
    public void FromEnvironment_NothingSetOrBlank_LeavesEverythingUnset()
    {
        var settings = RunSettings.FromEnvironment(name => name == "EDGE_FRAMES" ? "  " : null);

        AssertSame(new RunSettings(), settings);
    }

    [Theory]
    [InlineData("EDGE_BUDGET_MS", "fast")]
    [InlineData("EDGE_BUDGET_MS", "100ms")]
    [InlineData("EDGE_BUDGET_MS", "33,5")]
    [InlineData("EDGE_FRAMES", "ten")]
    [InlineData("EDGE_THREADS", "99999999999")]
    [InlineData("EDGE_SMOOTHING", "0,3")]
    [InlineData("EDGE_TOP_K", "1.5")]
    public void FromEnvironment_BadText_ThrowsInvalidArgumentsNamingTheVariable(string name, string text)
    {
        var error = Assert.Throws<UserError>(() => RunSettings.FromEnvironment(n => n == name ? text : null));

        Assert.Equal(ExitCode.InvalidArguments, error.ExitCode);
        Assert.Contains(name, error.Message, StringComparison.Ordinal);
        Assert.Contains(text, error.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, RunSettings> InvalidValues() => new()
    {
        { "frames", new RunSettings { Frames = -1 } },
        { "budget_ms", new RunSettings { BudgetMs = 0 } },
        { "budget_ms", new RunSettings { BudgetMs = 0.5 } },
        { "budget_ms", new RunSettings { BudgetMs = 70_000 } },
        { "budget_ms", new RunSettings { BudgetMs = double.NaN } },
        { "ep", new RunSettings { Ep = "gpu" } },
        { "threads", new RunSettings { Threads = -1 } },
        { "threads", new RunSettings { Threads = 257 } },
        { "smoothing", new RunSettings { Smoothing = 1 } },
        { "smoothing", new RunSettings { Smoothing = -0.1f } },
        { "top_k", new RunSettings { TopK = -1 } },
        { "cpu_spin", new RunSettings { CpuSpin = "" } },
        { "stream", new RunSettings { Stream = "" } },
        { "stream", new RunSettings { Stream = "front door" } },
        { "stream", new RunSettings { Stream = "cam/0" } },
        { "stream", new RunSettings { Stream = "caméra" } },
        { "stream", new RunSettings { Stream = "Cam0" } }, // ids appear in topics and metrics: lower-case only
        { "stream", new RunSettings { Stream = new string('a', 65) } },
    };

    [Theory]
    [MemberData(nameof(InvalidValues))]
    public void Resolve_InvalidValue_ThrowsInvalidArgumentsNamingTheKey(string key, RunSettings settings)
    {
        var error = Assert.Throws<SettingException>(settings.Resolve);

        Assert.Equal(key, error.Key);
        Assert.Contains($"setting '{key}'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_BoundaryValues_AreAccepted()
    {
        var low = new RunSettings { Frames = 0, BudgetMs = 1, Threads = 0, Smoothing = 0, TopK = 0 }.Resolve();
        var high = new RunSettings { BudgetMs = 60_000, Threads = 256, Smoothing = 0.999f, TopK = 10_000, Ep = "TRT" }.Resolve();

        Assert.Equal(1, low.BudgetMs);
        Assert.Equal(60_000, high.BudgetMs);
        Assert.Equal(256, high.Threads);
        Assert.Equal(ExecutionProviderChoice.TensorRt, high.Ep);
    }

    [Theory]
    [InlineData("a")]
    [InlineData("cam0")]
    [InlineData("front_door-2")]
    public void Resolve_ValidStream_IsKept(string stream)
    {
        Assert.Equal(stream, new RunSettings { Stream = stream }.Resolve().Stream);
        Assert.Equal(new string('s', 64), new RunSettings { Stream = new string('s', 64) }.Resolve().Stream);
    }

    [Fact]
    public void Resolve_StreamFromFileEnvironmentAndFlag_LaterLayersWin()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, """{ "stream": "from-file" }""");
            var fromFile = RunSettings.FromFile(path);
            var fromEnvironment = RunSettings.FromEnvironment(name => name == "EDGE_STREAM" ? "from-env" : null);

            Assert.Equal("from-file", fromFile.Resolve().Stream);
            Assert.Equal("from-env", fromFile.OverriddenBy(fromEnvironment).Resolve().Stream);
            Assert.Equal("from-flag", fromFile.OverriddenBy(fromEnvironment).OverriddenBy(new RunSettings { Stream = "from-flag" }).Resolve().Stream);
            Assert.Null(RunSettings.FromEnvironment(name => name == "EDGE_STREAM" ? "" : null).Stream);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Resolve_BlankDevice_UsesHostName()
    {
        Assert.Equal(Environment.MachineName, new RunSettings { Device = " " }.Resolve().Device);
    }

    [Fact]
    public void FromFile_BudgetEnforcement_ParsesPolicyStagesAndLadder_KeepingDefaultsOfUnnamedKeys()
    {
        using var folder = TestBundle.CreateEmpty();
        var path = folder.WriteFile("edge.json", """
            {
              "budget_ms": 80,
              "miss_policy": "degrade",
              "stage_budgets_ms": { "inference": 50, "queue": 20 },
              "degrade": { "window_frames": 12, "ladder": [ { "name": "int8", "model": "/models/int8" }, { "name": "half", "frame_stride": 2 } ] }
            }
            """u8.ToArray());

        var settings = RunSettings.FromFile(path).Resolve();

        Assert.Equal(Edge.Runtime.Budget.MissPolicy.Degrade, settings.MissPolicy);
        Assert.Equal(50, settings.StageBudgets.Inference);
        Assert.Equal(20, settings.StageBudgets.Queue);
        Assert.Null(settings.StageBudgets.Preprocess);
        Assert.Equal(12, settings.Degrade.WindowFrames);
        Assert.Equal(new Edge.Runtime.Budget.DegradeOptions().RecoverFrames, settings.Degrade.RecoverFrames);
        Assert.Equal(["int8", "half"], settings.Degrade.Ladder.Select(step => step.Name));
        Assert.Equal(1, settings.Degrade.Ladder[0].FrameStride);
        Assert.Equal("/models/int8", settings.Degrade.Ladder[0].Model);
        Assert.Equal(2, settings.Degrade.Ladder[1].FrameStride);
    }

    [Theory]
    [InlineData(ExecutionProviderChoice.Cpu, new string[0], "multifashion-resnet18-int8-cpu")]
    [InlineData(ExecutionProviderChoice.Auto, new[] { "CPUExecutionProvider" }, "multifashion-resnet18-int8-cpu")]
    [InlineData(ExecutionProviderChoice.Auto, new[] { "TensorrtExecutionProvider", "CUDAExecutionProvider", "CPUExecutionProvider" }, "multifashion-resnet18-int8-tensorrt")]
    [InlineData(ExecutionProviderChoice.TensorRt, new string[0], "multifashion-resnet18-int8-tensorrt")]
    [InlineData(ExecutionProviderChoice.Auto, new[] { "CUDAExecutionProvider", "CPUExecutionProvider" }, "multifashion-resnet18")]
    [InlineData(ExecutionProviderChoice.Cuda, new string[0], "multifashion-resnet18")]
    public void DefaultModelFor_PicksTheBuildMadeForTheProvider(ExecutionProviderChoice ep, string[] available, string bundle)
    {
        Assert.Equal(bundle, Path.GetFileName(RunSettings.DefaultModelFor(ep, available)));
    }

    [Fact]
    public void DefaultModels_AreShippedAndValid()
    {
        foreach (var ep in new[] { ExecutionProviderChoice.Cpu, ExecutionProviderChoice.TensorRt, ExecutionProviderChoice.Cuda })
        {
            var bundle = Edge.Runtime.Bundles.ModelBundle.Load(RunSettings.DefaultModelFor(ep, []));
            Assert.Equal(ep == ExecutionProviderChoice.Cuda ? "fp32" : "int8", bundle.Precision);
        }
    }

    [Fact]
    public void FromFile_OutputsSection_ParsesMqttMetricsGpioDisplay()
    {
        using var folder = TestBundle.CreateEmpty();
        var path = folder.WriteFile("edge.json", """
            {
              "mqtt": { "uri": "mqtt://rover@broker:1884", "qos": 2, "labels": "change" },
              "metrics": "127.0.0.1:9200", "healthz_stale_seconds": 3, "metrics_otlp_endpoint": "http://collector:4318",
              "gpio": { "rules": [ { "label": "bag", "line": { "chip": "gpiochip0", "line": 5 }, "min_on_ms": 200 } ] },
              "display": { "bus": 1, "height": 32 }
            }
            """u8.ToArray());

        var settings = RunSettings.FromFile(path).Resolve();

        Assert.Equal("mqtt://rover@broker:1884", settings.Mqtt!.Uri);
        Assert.Equal(2, settings.Mqtt.Qos);
        Assert.Equal(1000, settings.Mqtt.Outbox); // unnamed keys keep their defaults
        Assert.Equal("127.0.0.1:9200", settings.Metrics);
        Assert.Equal(TimeSpan.FromSeconds(3), settings.HealthzStale);
        Assert.Equal(new Uri("http://collector:4318"), settings.MetricsOtlpEndpoint);
        Assert.Equal("bag", Assert.Single(settings.Gpio!.Rules).Label);
        Assert.Equal(200, settings.Gpio.Rules[0].MinOnMs);
        Assert.Equal(32, settings.Display!.Height);
        Assert.Equal(0x3C, settings.Display.Address);
    }

    [Fact]
    public void FromFile_TensorRtAndCudaOptions_ReachTheResolvedSettings()
    {
        using var folder = TestBundle.CreateEmpty();
        var path = folder.WriteFile("edge.json", """{ "tensorrt": { "fp16": false, "workspace_mb": 512, "engine_cache_directory": "/var/cache/edge/trt", "profile_opt_batch": 4 }, "cuda": { "device_id": 0 } }"""u8.ToArray());

        var settings = RunSettings.FromFile(path).Resolve();

        Assert.False(settings.Tensorrt!.Fp16);
        Assert.Equal(512, settings.Tensorrt.WorkspaceMb);
        Assert.Equal(4, settings.Tensorrt.ProfileOptBatch);
        Assert.Equal(3, settings.Tensorrt.BuilderOptimizationLevel); // default kept
        Assert.NotNull(settings.Cuda);
    }

    [Theory]
    [InlineData("""{ "healthz_stale_seconds": 0 }""", "'healthz_stale_seconds' is 0")]
    [InlineData("""{ "tensorrt": { "builder_optimization_level": 9 } }""", "'tensorrt.builder_optimization_level' is 9")]
    [InlineData("""{ "tensorrt": { "profile_opt_batch": 0 } }""", "'tensorrt.profile_opt_batch' is 0")]
    [InlineData("""{ "mqtt": { "uri": "mqtt://b", "qos": 5 } }""", "'mqtt.qos' is 5")]
    [InlineData("""{ "watchdog_streams": "all" }""", "'watchdog_streams' is all: expected required or any")]
    [InlineData("""{ "metrics_otlp_endpoint": "collector:4318" }""", "'metrics_otlp_endpoint' is collector:4318: expected an http:// or https:// URL")]
    public void FromFile_BadOutputSetting_NamesTheKey(string json, string mentions)
    {
        using var folder = TestBundle.CreateEmpty();
        var path = folder.WriteFile("edge.json", System.Text.Encoding.UTF8.GetBytes(json));

        var error = Record.Exception(() => RunSettings.FromFile(path).Resolve());

        Assert.Contains(mentions, error?.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_WatchdogStreams_RequiredByDefaultAnyWhenAsked()
    {
        Assert.Equal(Edge.Cli.Service.WatchdogStreams.Required, new RunSettings().Resolve().WatchdogStreams);
        Assert.Equal(Edge.Cli.Service.WatchdogStreams.Any, new RunSettings { WatchdogStreams = "any" }.Resolve().WatchdogStreams);
    }

    [Fact]
    public void Resolve_DefaultPolicy_IsFlag()
    {
        Assert.Equal(Edge.Runtime.Budget.MissPolicy.Flag, new RunSettings().Resolve().MissPolicy);
        Assert.Equal(Edge.Runtime.Budget.MissPolicy.Drop, RunSettings.FromEnvironment(name => name == "EDGE_MISS_POLICY" ? "drop" : null).Resolve().MissPolicy);
    }

    [Fact]
    public void FromFile_UnknownKey_ThrowsInvalidArgumentsNamingIt()
    {
        using var folder = TestBundle.CreateEmpty();
        var path = folder.WriteFile("edge.json", """{ "budget_ms": 80, "budget": 90 }"""u8.ToArray());

        var error = Assert.Throws<UserError>(() => RunSettings.FromFile(path));

        Assert.Equal(ExitCode.InvalidArguments, error.ExitCode);
        Assert.Contains("'budget'", error.Message, StringComparison.Ordinal);
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromFile_WrongValueType_ThrowsInvalidArguments()
    {
        using var folder = TestBundle.CreateEmpty();
        var path = folder.WriteFile("edge.json", """{ "frames": "ten" }"""u8.ToArray());

        var error = Assert.Throws<UserError>(() => RunSettings.FromFile(path));

        Assert.Equal(ExitCode.InvalidArguments, error.ExitCode);
        Assert.Contains("frames", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromFile_MalformedJson_ThrowsInvalidArguments()
    {
        using var folder = TestBundle.CreateEmpty();
        var path = folder.WriteFile("edge.json", """{ "frames": 1"""u8.ToArray());

        var error = Assert.Throws<UserError>(() => RunSettings.FromFile(path));

        Assert.Equal(ExitCode.InvalidArguments, error.ExitCode);
        Assert.Contains("invalid", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromFile_JsonNull_ThrowsSayingItIsEmpty()
    {
        using var folder = TestBundle.CreateEmpty();
        var path = folder.WriteFile("edge.json", "null"u8.ToArray());

        var error = Assert.Throws<UserError>(() => RunSettings.FromFile(path));

        Assert.Equal(ExitCode.InvalidArguments, error.ExitCode);
        Assert.Contains("empty", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromFile_MissingFile_ThrowsInvalidArgumentsNamingThePath()
    {
        var path = Path.Combine(Path.GetTempPath(), "edge-runtime-tests-" + Guid.NewGuid().ToString("N"), "edge.json");

        var error = Assert.Throws<UserError>(() => RunSettings.FromFile(path));

        Assert.Equal(ExitCode.InvalidArguments, error.ExitCode);
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("does not exist", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromFile_InvalidValue_IsRefusedAtResolve()
    {
        using var folder = TestBundle.CreateEmpty();
        var path = folder.WriteFile("edge.json", """{ "budget_ms": -5 }"""u8.ToArray());
        var fromFile = RunSettings.FromFile(path);

        var error = Assert.Throws<SettingException>(fromFile.Resolve);

        Assert.Equal("setting 'budget_ms' is -5: expected a number from 1 to 60000", error.Message);
    }

    private static RunSettings Full(string tag) => new()
    {
        Model = "model-" + tag,
        Source = "source-" + tag,
        Frames = tag[0] * 10,
        BudgetMs = tag[0],
        Ep = "ep-" + tag,
        Output = "output-" + tag,
        Threads = tag[0] + 1,
        Device = "device-" + tag,
        Stream = "stream-" + tag,
        Smoothing = tag[0] / 1000f,
        TopK = tag[0] + 2,
    };

    private static void AssertSame(RunSettings expected, RunSettings actual)
    {
        Assert.Equal(expected.Model, actual.Model);
        Assert.Equal(expected.Source, actual.Source);
        Assert.Equal(expected.Frames, actual.Frames);
        Assert.Equal(expected.BudgetMs, actual.BudgetMs);
        Assert.Equal(expected.Ep, actual.Ep);
        Assert.Equal(expected.Output, actual.Output);
        Assert.Equal(expected.Threads, actual.Threads);
        Assert.Equal(expected.Device, actual.Device);
        Assert.Equal(expected.Stream, actual.Stream);
        Assert.Equal(expected.Smoothing, actual.Smoothing);
        Assert.Equal(expected.TopK, actual.TopK);
    }

    [Fact]
    public void FromFile_DuplicateKey_ThrowsInvalidArgumentsNamingKeyAndPath()
    {
        using var folder = TestBundle.CreateEmpty();
        var path = folder.WriteFile("edge.json", """{ "mqtt": { "uri": "mqtt://a", "uri": "mqtt://b" } }"""u8.ToArray());

        var error = Assert.Throws<UserError>(() => RunSettings.FromFile(path));

        Assert.Equal(ExitCode.InvalidArguments, error.ExitCode);
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("'uri'", error.Message, StringComparison.Ordinal);
        Assert.Contains("$.mqtt.uri", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OverriddenBy_UriOnlyLayer_KeepsTheFileSectionAndLeavesTheFileLayerUnchanged()
    {
        var fromFile = new RunSettings { Mqtt = new Edge.Outputs.Mqtt.MqttSettings { Uri = "mqtt://file-broker", Qos = 2 } };
        var fromFlags = new RunSettings { Mqtt = new Edge.Outputs.Mqtt.MqttSettings { Uri = "mqtt://flag-broker" } };

        var merged = fromFile.OverriddenBy(fromFlags);

        Assert.Equal("mqtt://flag-broker", merged.Mqtt!.Uri);
        Assert.Equal(2, merged.Mqtt.Qos);
        Assert.Equal("mqtt://file-broker", fromFile.Mqtt!.Uri);
    }

    [Fact]
    public void OverriddenBy_CarriesEveryDeclaredSetting()
    {
        var earlier = new RunSettings();
        var later = new RunSettings { Model = "m", Frames = 3, BudgetMs = 40, Threads = 2, Smoothing = 0.5f, TopK = 4, Stream = "dock", HealthzStaleSeconds = 5 };

        var merged = earlier.OverriddenBy(later);

        Assert.All(SettingKey.All, key => Assert.Equal(key.ValueIn(later), key.ValueIn(merged)));
    }
}
