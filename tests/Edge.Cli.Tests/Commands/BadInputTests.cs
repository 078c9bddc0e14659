using Edge.Cli.Commands;

namespace Edge.Cli.Tests.Commands;

/// <summary>Bad input through the real app: one line on stderr naming the problem, the right exit code, no trace.</summary>
[Trait("Category", "App")]
public sealed class BadInputTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public void Run_UnknownSourceScheme_ExitsSourceFailedWithOneLine()
    {
        var result = RunTiny("--source", "webcam:front");

        AssertOneLineError(result, ExitCode.SourceFailed, "unknown source 'webcam:front'");
    }

    [Fact]
    public void Run_UnopenableCamera_ExitsSourceFailedNamingTheDevice()
    {
        var result = RunTiny("--source", "v4l2:/dev/video99");

        AssertOneLineError(result, ExitCode.SourceFailed, "/dev/video99");
    }

    [Fact]
    public void Run_UnreadableImageInFolder_PublishesGoodImagesThenFailsNamingTheFile()
    {
        var folder = Directory.CreateTempSubdirectory("edge-images-");
        try
        {
            WritePng(Path.Combine(folder.FullName, "a.png"));
            File.WriteAllBytes(Path.Combine(folder.FullName, "b.png"), [1, 2, 3, 4, 5]);

            var result = RunTiny("--source", $"images:{folder.FullName}");

            AssertOneLineError(result, ExitCode.SourceFailed, "b.png");
            Assert.Single(result.OutputLines);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void Run_MissingModelFolder_ExitsInvalidModel()
    {
        var result = EdgeProcess.Run(Timeout, "run", "--model", "/nonexistent/bundle", "--frames", "1");

        AssertOneLineError(result, ExitCode.InvalidModel, "'/nonexistent/bundle' does not exist");
    }

    [Fact]
    public void Run_CorruptModelFile_ExitsInvalidModel()
    {
        using var bundle = TestBundle.Create();
        bundle.ReplaceModel([0x08, 0x07, 0x12, 0xFF, 0x00, 0x13, 0x37]);

        var result = EdgeProcess.Run(Timeout, "run", "--model", bundle.Directory, "--frames", "1");

        AssertOneLineError(result, ExitCode.InvalidModel, "could not be loaded by ONNX Runtime");
    }

    [Fact]
    public void Run_ModelFileChangedAfterManifest_ExitsInvalidModelNamingSha256()
    {
        using var bundle = TestBundle.Create();
        File.AppendAllText(bundle.ModelPath, "tampered");

        var result = EdgeProcess.Run(Timeout, "run", "--model", bundle.Directory, "--frames", "1");

        AssertOneLineError(result, ExitCode.InvalidModel, "manifest field 'sha256'");
    }

    [Fact]
    public void Run_ManifestLabelCountDiffersFromOutput_ExitsInvalidModelNamingLabels()
    {
        using var bundle = TestBundle.Create(manifest => manifest["labels"] = TestBundle.Labels(9));

        var result = EdgeProcess.Run(Timeout, "run", "--model", bundle.Directory, "--frames", "1");

        AssertOneLineError(result, ExitCode.InvalidModel, "manifest field 'labels'");
    }

    [Fact]
    public void Run_ManifestInputShapeDiffersFromModel_ExitsInvalidModelNamingTheField()
    {
        using var bundle = TestBundle.Create(manifest => manifest["input"]!["width"] = 64);

        var result = EdgeProcess.Run(Timeout, "run", "--model", bundle.Directory, "--frames", "1");

        AssertOneLineError(result, ExitCode.InvalidModel, "manifest field 'input.width'");
    }

    [Theory]
    [InlineData("--budget-ms", "-5", "budget_ms")]
    [InlineData("--frames", "-1", "frames")]
    [InlineData("--ep", "gpu", "ep")]
    [InlineData("--smoothing", "1.5", "smoothing")]
    [InlineData("--top-k", "-2", "top_k")]
    [InlineData("--stream", "front door", "stream")]
    [InlineData("--stream", "", "stream")]
    public void Run_InvalidOptionValue_ExitsInvalidArgumentsNamingTheSetting(string flag, string value, string key)
    {
        var result = RunTiny(flag, value);

        AssertOneLineError(result, ExitCode.InvalidArguments, $"setting '{key}'");
    }

    [Fact]
    public void Run_UnavailableExecutionProvider_ExitsInvalidArgumentsSayingSo()
    {
        var result = RunTiny("--ep", "tensorrt");

        AssertOneLineError(result, ExitCode.InvalidArguments, "--ep tensorrt is not available");
    }

    [Fact]
    public void Run_UnknownConfigKey_ExitsInvalidArgumentsNamingTheKey()
    {
        var config = Path.GetTempFileName();
        try
        {
            File.WriteAllText(config, """{ "budget_ms": 50, "buget": 3 }""");

            var result = RunTiny("--config", config);

            AssertOneLineError(result, ExitCode.InvalidArguments, "buget");
        }
        finally
        {
            File.Delete(config);
        }
    }

    public static TheoryData<string, string> BadStreamConfigs => new()
    {
        { """{"streams": [{"id": "front", "source": "synthetic"}, {"id": "rear", "source": "synthetic"}, {"id": "front", "source": "synthetic"}]}""", "setting 'streams[2].id' is front: expected an id no other stream has (streams[0].id is front too)" },
        { """{"streams": [{"id": "Front", "source": "synthetic"}]}""", "setting 'streams[0].id' is Front: expected 1 to 64 characters of a-z, 0-9, '_' and '-'" },
        { """{"max_streams": 2, "streams": [{"id": "a", "source": "synthetic"}, {"id": "b", "source": "synthetic"}, {"id": "c", "source": "synthetic"}]}""", "setting 'streams' is 3 streams: expected at most max_streams (2)" },
        { """{"streams": [{"id": "a", "source": "synthetic", "budget_ms": 70000}]}""", "setting 'streams[0].budget_ms' is 70000" },
        { """{"streams": [{"id": "a", "source": "synthetic", "thresholds": {"hat": {"threshold": 0.4, "off_threshold": 0.6}}}]}""", "setting 'streams[0].thresholds.hat.off_threshold' is 0.6" },
        { """{"streams": [{"id": "a", "source": "synthetic", "heads": []}]}""", "setting 'streams[0].heads' is empty" },
        { """{"heads": [{"name": "scene", "model": "m"}, {"name": "scene", "model": "n"}]}""", "setting 'heads[1].name' is scene: expected a name no other head has (heads[0].name is scene too)" },
        { """{"heads": [{"name": "Scene", "model": "m"}]}""", "setting 'heads[0].name' is Scene" },
        { """{"heads": [{"name": "scene", "model": "m", "budget_ms": 70000}]}""", "setting 'heads[0].budget_ms' is 70000" },
        { """{"max_batch": 257}""", "setting 'max_batch' is 257: expected 0 (the bundle's maximum batch) to 256" },
        { """{"source": "synthetic", "streams": [{"id": "a", "source": "synthetic"}]}""", "setting 'source' is set: expected no source next to streams" },
    };

    [Theory]
    [MemberData(nameof(BadStreamConfigs))]
    public void Run_BadStreamsOrHeadsInTheConfig_ExitsInvalidArgumentsWithNothingStarted(string json, string mentions)
    {
        var config = Path.GetTempFileName();
        try
        {
            File.WriteAllText(config, json);

            var result = EdgeProcess.Run(Timeout, "run", "--model", "/nonexistent/bundle", "--config", config);

            // The model folder does not exist: had anything been loaded or started, the error would be about it.
            AssertOneLineError(result, ExitCode.InvalidArguments, mentions);
            Assert.Empty(result.OutputLines);
        }
        finally
        {
            File.Delete(config);
        }
    }

    [Theory]
    [InlineData(new[] { "--source", "synthetic", "--source", "synthetic", "--stream", "front" }, "--stream given 1 times for 2 --source flags: expected one --stream per --source")]
    [InlineData(new[] { "--source", "synthetic", "--stream", "Front", "--source", "synthetic", "--stream", "rear" }, "setting 'streams[0].id' is Front")]
    [InlineData(new[] { "--source", "synthetic", "--stream", "rear", "--source", "synthetic", "--stream", "rear" }, "setting 'streams[1].id' is rear: expected an id no other stream has (streams[0].id is rear too)")]
    [InlineData(new[] { "--source", "synthetic", "--source", "synthetic", "--source", "synthetic", "--max-streams", "2" }, "setting 'streams' is 3 streams: expected at most max_streams (2)")]
    [InlineData(new[] { "--max-streams", "0" }, "setting 'max_streams' is 0: expected 1 to 256")]
    [InlineData(new[] { "--max-batch", "-1" }, "setting 'max_batch' is -1")]
    public void Run_BadSourceStreamOrLimitFlags_ExitsInvalidArgumentsWithNothingStarted(string[] arguments, string mentions)
    {
        var result = EdgeProcess.Run(Timeout, ["run", "--model", "/nonexistent/bundle", .. arguments]);

        AssertOneLineError(result, ExitCode.InvalidArguments, mentions);
        Assert.Empty(result.OutputLines);
    }

    [Fact]
    public void Run_WithVerbose_AddsTheStackTrace()
    {
        var result = RunTiny("--source", "webcam:front", "--verbose");

        Assert.Equal((int)ExitCode.SourceFailed, result.ExitCode);
        Assert.Contains(" at ", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public void Dataset_MissingFashionMnistFolder_ExitsMissingData()
    {
        var result = EdgeProcess.Run(Timeout, "dataset", "multifashion", "--out", Path.Combine(Path.GetTempPath(), "edge-never"), "--fashion-mnist", "/nonexistent/fmnist", "--count", "1");

        AssertOneLineError(result, ExitCode.MissingData, "/nonexistent/fmnist");
    }

    /// <summary>Runs the tiny fixture model; <paramref name="arguments"/> replace the defaults they name.</summary>
    [Fact]
    public void Run_UnparsableFlagValue_ExitsInvalidArgumentsWithOneLine()
    {
        var result = EdgeProcess.Run(Timeout, "run", "--frames", "many");

        AssertOneLineError(result, ExitCode.InvalidArguments, "'many'");
    }

    [Fact]
    public void Dataset_CountOutOfRange_ExitsInvalidArguments()
    {
        var result = EdgeProcess.Run(Timeout, "dataset", "multifashion", "--out", Path.Combine(Path.GetTempPath(), "edge-never"), "--count", "0");

        AssertOneLineError(result, ExitCode.InvalidArguments, "--count must be from 1");
    }

    [Theory]
    [InlineData("--family tint", "--robustness writes every family: leave out --family")]
    [InlineData("--split train", "--robustness needs --split test (evaluation, test items) or val (validation, training items), not train")]
    [InlineData("--split ood", "not ood")]
    public void Dataset_RobustnessWithConflictingFlag_ExitsInvalidArguments(string flag, string mentions)
    {
        var result = EdgeProcess.Run(Timeout, ["dataset", "multifashion", "--robustness", "--out", Path.Combine(Path.GetTempPath(), "edge-never"), "--count", "1", .. flag.Split(' ')]);

        AssertOneLineError(result, ExitCode.InvalidArguments, mentions);
    }

    [Fact]
    public void Dataset_UnknownFamily_ExitsInvalidArgumentsNamingTheChoices()
    {
        var result = EdgeProcess.Run(Timeout, "dataset", "multifashion", "--family", "fog", "--out", Path.Combine(Path.GetTempPath(), "edge-never"), "--count", "1");

        AssertOneLineError(result, ExitCode.InvalidArguments, "'fog'");
    }

    [Theory]
    [InlineData("--miss-policy", "sometimes", "setting 'miss_policy' is sometimes: expected drop, flag or degrade")]
    [InlineData("--stage-budget", "render=5", "--stage-budget 'render=5' is invalid")]
    [InlineData("--stage-budget", "inference=500", "setting 'stage_budgets_ms.inference' is 500")]
    [InlineData("--inject-delay", "inference:5", "--inject-delay 'inference:5' is invalid")]
    [InlineData("--cpu-spin", "sometimes", "setting 'cpu_spin' is sometimes: expected always, during-run or never")]
    public void Run_BadBudgetFlags_ExitInvalidArgumentsNamingTheFlag(string flag, string value, string mentions)
    {
        var result = RunTiny(flag, value, "--budget-ms", "100");

        AssertOneLineError(result, ExitCode.InvalidArguments, mentions);
    }

    [Fact]
    public void Run_DegradeLadderWithDifferentLabels_ExitsInvalidModelNamingTheStep()
    {
        using var other = TestBundle.Create(manifest =>
        {
            var labels = (System.Text.Json.Nodes.JsonArray)manifest["labels"]!;
            labels[0]!["name"] = "hat";
        });
        var config = Path.Combine(other.Directory, "edge.json");
        File.WriteAllText(config, $$$"""{"miss_policy": "degrade", "degrade": {"ladder": [{"name": "cheap", "model": "{{{other.Directory}}}"}]}}""");

        var result = RunTiny("--config", config);

        AssertOneLineError(result, ExitCode.InvalidModel, "degrade ladder step 'cheap'");
    }

    [Fact]
    public void Run_BadDegradeSetting_ExitsInvalidArgumentsNamingTheKey()
    {
        using var bundle = TestBundle.Create();
        var config = Path.Combine(bundle.Directory, "edge.json");
        File.WriteAllText(config, """{"miss_policy": "degrade", "degrade": {"window_frames": 0}}""");

        var result = RunTiny("--config", config);

        AssertOneLineError(result, ExitCode.InvalidArguments, "setting 'degrade.window_frames' is 0");
    }

    [Theory]
    [InlineData("tensorrt", "--ep tensorrt is not available")]
    [InlineData("cpu", "--ep cpu has nothing to prepare")]
    public void Prepare_WithoutTensorRt_OneLineErrorNamingTheProvider(string ep, string mentions)
    {
        using var bundle = TestBundle.Create();

        var result = EdgeProcess.Run(Timeout, "prepare", "--model", bundle.Directory, "--ep", ep);

        AssertOneLineError(result, ExitCode.InvalidArguments, mentions);
    }

    private static EdgeProcess.Result RunTiny(params string[] arguments)
    {
        using var bundle = TestBundle.Create();
        var defaults = new Dictionary<string, string>
        {
            ["--model"] = bundle.Directory,
            ["--frames"] = "3",
            ["--budget-ms"] = "60000",
            ["--source"] = "synthetic?size=32&fps=0",
        };
        var command = new List<string> { "run" };
        foreach (var (flag, value) in defaults)
        {
            if (!arguments.Contains(flag))
            {
                command.Add(flag);
                command.Add(value);
            }
        }

        command.AddRange(arguments);
        return EdgeProcess.Run(Timeout, [.. command]);
    }

    private static void AssertOneLineError(EdgeProcess.Result result, ExitCode expected, string mentions) =>
        EdgeProcess.AssertOneLineError(result, expected, mentions);

    private static void WritePng(string path)
    {
        using var image = new OpenCvSharp.Mat(40, 48, OpenCvSharp.MatType.CV_8UC3, new OpenCvSharp.Scalar(10, 200, 30));
        OpenCvSharp.Cv2.ImWrite(path, image);
    }
}
