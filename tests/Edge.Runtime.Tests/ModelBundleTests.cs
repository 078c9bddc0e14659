using System.Text.Json.Nodes;
using Edge.Runtime.Bundles;

namespace Edge.Runtime.Tests;

public sealed class ModelBundleTests
{
    [Fact]
    public void Load_ValidBundle_ReadsEveryField()
    {
        using var test = TestBundle.Create();

        var bundle = test.Load();

        Assert.Equal("tiny-multilabel", bundle.Name);
        Assert.Equal("fp32", bundle.Precision);
        Assert.Equal(ModelBundle.HashFile(test.ModelPath), bundle.Sha256);
        Assert.Equal(test.ModelPath, bundle.ModelPath);
        Assert.Equal("image", bundle.InputName);
        Assert.Equal("logits", bundle.OutputName);
        Assert.Equal(OutputKind.Logits, bundle.OutputKind);
        Assert.Equal(32, bundle.Input.Width);
        Assert.Equal(32, bundle.Input.Height);
        Assert.Equal(TensorLayout.Nchw, bundle.Input.Layout);
        Assert.Equal(ColorOrder.Bgr, bundle.Input.ColorOrder);
        Assert.Equal(ResizePolicy.Stretch, bundle.Input.Resize);
        Assert.Equal(TestBundle.LabelNames, bundle.Labels.Select(l => l.Name));
        Assert.All(bundle.Labels, l => Assert.Equal((0.5f, 0.4f), (l.On, l.Off)));
        Assert.Null(bundle.Input.MeanImage);
    }

    [Fact]
    public void Load_UppercaseSha256_IsAccepted()
    {
        using var test = TestBundle.Create(m => m["sha256"] = m["sha256"]!.GetValue<string>().ToUpperInvariant());

        var bundle = test.Load();

        Assert.Equal("tiny-multilabel", bundle.Name);
    }

    [Theory]
    [InlineData("center_crop", ResizePolicy.CenterCrop)]
    [InlineData("letterbox", ResizePolicy.Letterbox)]
    [InlineData("STRETCH", ResizePolicy.Stretch)]
    public void Load_ResizePolicy_IsParsed(string text, ResizePolicy expected)
    {
        using var test = TestBundle.Create(m => m["input"]!["resize"] = text);

        Assert.Equal(expected, test.Load().Input.Resize);
    }

    [Fact]
    public void Load_OffThresholdOmitted_DefaultsToThreshold()
    {
        using var test = TestBundle.Create(m => m["labels"]![0]!.AsObject().Remove("off_threshold"));

        var label = test.Load().Labels[0];

        Assert.Equal(0.5f, label.On);
        Assert.Equal(0.5f, label.Off);
    }

    [Fact]
    public void Load_MeanAndStdOmitted_DefaultToZeroAndOne()
    {
        using var test = TestBundle.Create(m =>
        {
            m["input"]!.AsObject().Remove("mean");
            m["input"]!.AsObject().Remove("std");
        });

        var input = test.Load().Input;

        Assert.Equal([0f, 0f, 0f], input.Mean);
        Assert.Equal([1f, 1f, 1f], input.Std);
    }

    [Fact]
    public void Load_MeanImageOfRightSize_IsReadInFileOrder()
    {
        using var test = TestBundle.Create(m => m["input"]!["mean_image"] = "mean.bin");
        var values = Enumerable.Range(0, 3 * 32 * 32).Select(i => i * 0.5f).ToArray();
        test.WriteFile("mean.bin", System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray());

        var meanImage = test.Load().Input.MeanImage;

        Assert.Equal(values, meanImage);
    }

    public static TheoryData<string, string> BadFields() => new()
    {
        { """{"format": "edge-model-bundle/2"}""", "format" },
        { """{"format": null}""", "format" },
        { """{"name": ""}""", "name" },
        { """{"name": "   "}""", "name" },
        { """{"model_file": null}""", "model_file" },
        { """{"sha256": "not-hex"}""", "sha256" },
        { """{"sha256": "zz00000000000000000000000000000000000000000000000000000000000000"}""", "sha256" },
        { """{"sha256": "00000000000000000000000000000000000000000000000000000000000000"}""", "sha256" },
        { """{"precision": "fp64"}""", "precision" },
        { """{"precision": null}""", "precision" },
        { """{"input": null}""", "input" },
        { """{"input": {"name": ""}}""", "input.name" },
        { """{"input": {"width": 0}}""", "input.width/input.height" },
        { """{"input": {"height": 9000}}""", "input.width/input.height" },
        { """{"input": {"layout": "chw"}}""", "input.layout" },
        { """{"input": {"layout": "1"}}""", "input.layout" },
        { """{"input": {"layout": null}}""", "input.layout" },
        { """{"input": {"layout": "nchw,nhwc"}}""", "input.layout" },
        { """{"input": {"color_order": "rgba"}}""", "input.color_order" },
        { """{"input": {"color_order": "bgr,rgb"}}""", "input.color_order" },
        { """{"input": {"resize": "fit"}}""", "input.resize" },
        { """{"input": {"resize": "center_crop,letterbox"}}""", "input.resize" },
        { """{"input": {"resize": "stretch,letterbox"}}""", "input.resize" },
        { """{"input": {"scale": 0}}""", "input.scale" },
        { """{"input": {"scale": -0.5}}""", "input.scale" },
        { """{"input": {"mean": [1, 2]}}""", "input.mean" },
        { """{"input": {"mean": [1, 2, 3, 4]}}""", "input.mean" },
        { """{"input": {"std": [1, 0, 1]}}""", "input.std" },
        { """{"input": {"std": [1, 1, -2]}}""", "input.std" },
        { """{"input": {"std": [1, 1]}}""", "input.std" },
        { """{"input": {"letterbox_fill": 256}}""", "input.letterbox_fill" },
        { """{"output": null}""", "output" },
        { """{"output": {"name": ""}}""", "output.name" },
        { """{"output": {"kind": "softmax"}}""", "output.kind" },
        { """{"output": {"kind": null}}""", "output.kind" },
        { """{"labels": []}""", "labels" },
        { """{"labels": null}""", "labels" },
        { """{"labels": [{"name": "a"}, {"name": "a"}]}""", "labels[1].name" },
        { """{"labels": [{"name": ""}]}""", "labels[0].name" },
        { """{"labels": [{"name": "a", "threshold": 0}]}""", "labels[0].threshold" },
        { """{"labels": [{"name": "a", "threshold": 1}]}""", "labels[0].threshold" },
        { """{"labels": [{"name": "a", "threshold": 1.5}]}""", "labels[0].threshold" },
        { """{"labels": [{"name": "a"}, {"name": "b", "threshold": -0.1}]}""", "labels[1].threshold" },
        { """{"labels": [{"name": "a", "threshold": 0.5, "off_threshold": 0.6}]}""", "labels[0].off_threshold" },
        { """{"labels": [{"name": "a", "threshold": 0.5, "off_threshold": 0}]}""", "labels[0].off_threshold" },
    };

    [Theory]
    [MemberData(nameof(BadFields))]
    public void Load_BadField_ThrowsNamingTheField(string patch, string field)
    {
        using var test = TestBundle.Create(m => Merge(m, JsonNode.Parse(patch)!.AsObject()));

        var exception = Assert.Throws<ModelBundleException>(test.Load);

        Assert.Contains($"manifest field '{field}'", exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(BadFields))]
    public void FromManifest_BadField_ThrowsNamingTheField(string patch, string field)
    {
        var manifest = TestBundle.ValidManifest(m => Merge(m, JsonNode.Parse(patch)!.AsObject()));

        var exception = Assert.Throws<ModelBundleException>(() => ModelBundle.FromManifest(Path.GetTempPath(), manifest));

        Assert.Contains($"manifest field '{field}'", exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("shirt;coat")]
    [InlineData(" shirt")]
    [InlineData("shirt ")]
    [InlineData("shirt\ncoat")]
    [InlineData("shirt\u0007")] // a NUL anywhere in a manifest is refused earlier, as such (NulBytePathTests)
    public void Load_LabelNameTheCsvDatasetFormatCannotCarry_ThrowsNamingLabelAndAllowedCharacters(string name)
    {
        using var test = TestBundle.Create(m => m["labels"]![3]!["name"] = name);

        var exception = Assert.Throws<ModelBundleException>(test.Load);

        Assert.Contains("manifest field 'labels[3].name'", exception.Message, StringComparison.Ordinal);
        Assert.Contains("';'", exception.Message, StringComparison.Ordinal);
        Assert.Contains("control characters", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_LabelNamesWithCommaQuoteColonSpaceAndNonAscii_Accepted()
    {
        string[] names = ["coat, long", "say \"hi\"", "top:left", "ankle boot", "Münze"];
        using var test = TestBundle.Create(m =>
        {
            for (var i = 0; i < names.Length; i++)
            {
                m["labels"]![i]!["name"] = names[i];
            }
        });

        Assert.Equal(names, test.Load().Labels.Take(names.Length).Select(label => label.Name));
    }

    [Fact]
    public void FromManifest_ValidManifest_NeedsNoFiles()
    {
        var bundle = ModelBundle.FromManifest(Path.Combine(Path.GetTempPath(), "no-such-folder-" + Guid.NewGuid()), TestBundle.ValidManifest());

        Assert.Equal(10, bundle.Labels.Count);
    }

    [Fact]
    public void Load_ModelFileMissing_ThrowsNamingModelFile()
    {
        using var test = TestBundle.Create(m => m["model_file"] = "absent.onnx");

        var exception = Assert.Throws<ModelBundleException>(test.Load);

        Assert.Contains("'model_file'", exception.Message, StringComparison.Ordinal);
        Assert.Contains("absent.onnx", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_Sha256OfAnotherFile_ThrowsNamingSha256()
    {
        using var test = TestBundle.Create(m => m["sha256"] = new string('e', 64));

        var exception = Assert.Throws<ModelBundleException>(test.Load);

        Assert.Contains("'sha256'", exception.Message, StringComparison.Ordinal);
        Assert.Contains(ModelBundle.HashFile(test.ModelPath), exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_WrongSha256WithoutVerification_Loads()
    {
        using var test = TestBundle.Create(m => m["sha256"] = new string('e', 64));

        var bundle = ModelBundle.Load(test.Directory, verifyHash: false);

        Assert.Equal(new string('e', 64), bundle.Sha256);
    }

    [Fact]
    public void Load_MeanImageWrongSize_ThrowsNamingMeanImage()
    {
        using var test = TestBundle.Create(m => m["input"]!["mean_image"] = "mean.bin");
        test.WriteFile("mean.bin", new byte[(3 * 32 * 32 * sizeof(float)) - 4]);

        var exception = Assert.Throws<ModelBundleException>(test.Load);

        Assert.Contains("'input.mean_image'", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MeanImageMissing_ThrowsNamingMeanImage()
    {
        using var test = TestBundle.Create(m => m["input"]!["mean_image"] = "absent.bin");

        var exception = Assert.Throws<ModelBundleException>(test.Load);

        Assert.Contains("'input.mean_image'", exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("root")]
    [InlineData("input")]
    [InlineData("output")]
    [InlineData("label")]
    public void Load_UnknownField_ThrowsNamingIt(string where)
    {
        using var test = TestBundle.Create(m =>
        {
            var target = where switch
            {
                "root" => m,
                "label" => m["labels"]![0]!.AsObject(),
                _ => m[where]!.AsObject(),
            };
            target["colour_ordre"] = "bgr";
        });

        var exception = Assert.Throws<ModelBundleException>(test.Load);

        Assert.Contains("colour_ordre", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MalformedJson_ThrowsSayingItIsNotValid()
    {
        using var test = TestBundle.Create();
        test.WriteManifestText("""{"format": "edge-model-bundle/1", "name": """);

        var exception = Assert.Throws<ModelBundleException>(test.Load);

        Assert.Contains("not a valid manifest", exception.Message, StringComparison.Ordinal);
        Assert.Contains(test.ManifestPath, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_JsonNull_ThrowsSayingItIsEmpty()
    {
        using var test = TestBundle.Create();
        test.WriteManifestText("null");

        var exception = Assert.Throws<ModelBundleException>(test.Load);

        Assert.Contains("empty", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_CommentsAndTrailingCommas_AreAccepted()
    {
        using var test = TestBundle.Create();
        var text = test.Manifest.ToJsonString();
        test.WriteManifestText("// bundle for tests\n" + text[..^1] + ",}");

        var bundle = test.Load();

        Assert.Equal("tiny-multilabel", bundle.Name);
    }

    [Fact]
    public void Load_ManifestMissing_ThrowsNamingManifestFile()
    {
        using var test = TestBundle.Create();
        File.Delete(test.ManifestPath);

        var exception = Assert.Throws<ModelBundleException>(test.Load);

        Assert.Contains("manifest.json", exception.Message, StringComparison.Ordinal);
        Assert.Contains(test.Directory, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_FolderMissing_ThrowsSayingItDoesNotExist()
    {
        var missing = Path.Combine(Path.GetTempPath(), "edge-runtime-tests-missing-" + Guid.NewGuid().ToString("N"));

        var exception = Assert.Throws<ModelBundleException>(() => ModelBundle.Load(missing));

        Assert.Contains(missing, exception.Message, StringComparison.Ordinal);
        Assert.Contains("does not exist", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void HashFile_KnownContent_GivesLowercaseHexSha256()
    {
        using var test = TestBundle.CreateEmpty();
        var path = test.WriteFile("abc.txt", "abc"u8.ToArray());

        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", ModelBundle.HashFile(path));
    }

    /// <summary>Copies each property of <paramref name="patch"/> into <paramref name="target"/>, recursing into objects.</summary>
    private static void Merge(JsonObject target, JsonObject patch)
    {
        foreach (var (key, value) in patch.ToList())
        {
            if (value is JsonObject nested && target[key] is JsonObject existing)
            {
                Merge(existing, nested);
            }
            else
            {
                target[key] = value?.DeepClone();
            }
        }
    }
}
