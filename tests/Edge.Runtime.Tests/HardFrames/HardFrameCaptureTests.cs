using System.Runtime.InteropServices;
using Edge.Outputs.Metrics;
using Edge.Runtime.Bundles;
using Edge.Runtime.HardFrames;
using Edge.Tools.Evaluation.Datasets;
using OpenCvSharp;
using LogLevel = Microsoft.Extensions.Logging.LogLevel;

namespace Edge.Runtime.Tests.HardFrames;

public sealed class HardFrameCaptureTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private readonly HardFrameFixture fixture = new();

    public void Dispose() => fixture.Dispose();

    [Fact]
    public void Offer_ConfidentFrame_NotHardAndNothingWritten()
    {
        using (var capture = fixture.Create())
        {
            for (var i = 0; i < 30; i++)
            {
                fixture.Time.Advance(TimeSpan.FromSeconds(2));
                var outcome = fixture.Offer(capture, HardFrameFixture.Noise(16, 12, i, i), HardFrameFixture.Confident, turnedOn: i == 0 ? [0] : null);
                Assert.Equal(HardFrameOutcome.NotHard, outcome);
            }
        }

        Assert.False(File.Exists(fixture.LabelsCsv));
        Assert.Empty(Directory.GetFiles(fixture.Directory, "*.png"));
    }

    [Fact]
    public void Offer_ScoreWithinMarginOfThreshold_SavedWithMarginReason()
    {
        using (var capture = fixture.Create())
        {
            Assert.Equal(HardFrameOutcome.Saved, fixture.Offer(capture, HardFrameFixture.Noise(16, 12, 1, 7), HardFrameFixture.NearThreshold));
        }

        var row = Assert.Single(fixture.Rows());
        Assert.Equal("margin:b", row[3]);
        Assert.Equal("a;b", row[1]);
    }

    [Fact]
    public void ModelSha256_ChangedByAModelSwap_RowsOfFramesOfferedAfterNameTheNewModel()
    {
        using (var capture = fixture.Create())
        {
            Assert.Equal(HardFrameOutcome.Saved, fixture.Offer(capture, HardFrameFixture.Noise(16, 12, 1, 7), HardFrameFixture.NearThreshold));
            capture.ModelSha256 = "ef56ab78";
            fixture.Time.Advance(TimeSpan.FromMinutes(1));
            Assert.Equal(HardFrameOutcome.Saved, fixture.Offer(capture, HardFrameFixture.Noise(16, 12, 2, 99), HardFrameFixture.NearThreshold));
        }

        Assert.Equal([HardFrameFixture.ModelSha, "ef56ab78"], fixture.Rows().Select(row => row[4]));
    }

    [Fact]
    public void Offer_HighMeanEntropy_SavedWithEntropyReason()
    {
        using (var capture = fixture.Create())
        {
            // H(0.25) = H(0.75) = 0.81 bits; every score is 0.25 away from its threshold, outside the margin.
            Assert.Equal(HardFrameOutcome.Saved, fixture.Offer(capture, HardFrameFixture.Noise(16, 12, 1, 7), [0.75f, 0.25f, 0.25f, 0.75f]));
        }

        var row = Assert.Single(fixture.Rows());
        Assert.Equal("entropy", row[3]);
        Assert.Equal("a;d", row[1]);
    }

    [Fact]
    public void Offer_ActiveCountFarFromRunningMean_SavedWithLabelCountReason()
    {
        using (var capture = fixture.Create())
        {
            for (var i = 0; i < HardFrameJudge.LabelCountWarmUpFrames; i++)
            {
                Assert.Equal(HardFrameOutcome.NotHard, fixture.Offer(capture, HardFrameFixture.Noise(16, 12, i, i), HardFrameFixture.Confident, turnedOn: i == 0 ? [0] : null));
            }

            var outcome = fixture.Offer(capture, HardFrameFixture.Noise(16, 12, 99, 10), [0.99f, 0.99f, 0.99f, 0.99f], turnedOn: [1, 2, 3]);
            Assert.Equal(HardFrameOutcome.Saved, outcome);
        }

        var row = Assert.Single(fixture.Rows());
        Assert.Equal("label_count", row[3]);
        Assert.Equal("a;b;coat, long;d", row[1]);
    }

    [Fact]
    public void Offer_LabelTurningOnAndOffRepeatedly_SavedWithFlickerReason()
    {
        float[] bOn = [0.99f, 0.99f, 0.01f, 0.01f];
        using (var capture = fixture.Create())
        {
            Assert.Equal(HardFrameOutcome.NotHard, fixture.Offer(capture, HardFrameFixture.Noise(16, 12, 0, 0), HardFrameFixture.Confident, turnedOn: [0]));
            Assert.Equal(HardFrameOutcome.NotHard, fixture.Offer(capture, HardFrameFixture.Noise(16, 12, 1, 1), bOn, turnedOn: [1]));
            Assert.Equal(HardFrameOutcome.NotHard, fixture.Offer(capture, HardFrameFixture.Noise(16, 12, 2, 2), HardFrameFixture.Confident, turnedOff: [1]));
            Assert.Equal(HardFrameOutcome.Saved, fixture.Offer(capture, HardFrameFixture.Noise(16, 12, 3, 3), bOn, turnedOn: [1]));
        }

        var row = Assert.Single(fixture.Rows());
        Assert.Equal("flicker:b", row[3]);
        Assert.Equal("3", row[6]);
    }

    [Fact]
    public void Offer_TurnsOlderThanWindow_NotFlicker()
    {
        float[] bOn = [0.99f, 0.99f, 0.01f, 0.01f];
        using var capture = fixture.Create(fixture.Options(o => o with { FlickerWindow = 3, FlickerTurns = 3 }));

        Assert.Equal(HardFrameOutcome.NotHard, fixture.Offer(capture, HardFrameFixture.Noise(16, 12, 1, 1), bOn, turnedOn: [0, 1]));
        Assert.Equal(HardFrameOutcome.NotHard, fixture.Offer(capture, HardFrameFixture.Noise(16, 12, 2, 2), HardFrameFixture.Confident, turnedOff: [1]));
        Assert.Equal(HardFrameOutcome.NotHard, fixture.Offer(capture, HardFrameFixture.Noise(16, 12, 3, 3), HardFrameFixture.Confident));
        Assert.Equal(HardFrameOutcome.NotHard, fixture.Offer(capture, HardFrameFixture.Noise(16, 12, 4, 4), bOn, turnedOn: [1]));
    }

    [Fact]
    public void Offer_SecondHardFrameWithinMinInterval_RateLimitedUntilIntervalPassed()
    {
        using (var capture = fixture.Create())
        {
            Assert.Equal(HardFrameOutcome.Saved, fixture.Offer(capture, HardFrameFixture.Noise(16, 12, 1, 1), HardFrameFixture.NearThreshold));
            fixture.Time.Advance(TimeSpan.FromMilliseconds(500));
            Assert.Equal(HardFrameOutcome.RateLimited, fixture.Offer(capture, HardFrameFixture.Noise(16, 12, 2, 2), HardFrameFixture.NearThreshold));
            fixture.Time.Advance(TimeSpan.FromMilliseconds(500));
            Assert.Equal(HardFrameOutcome.Saved, fixture.Offer(capture, HardFrameFixture.Noise(16, 12, 3, 3), HardFrameFixture.NearThreshold));
            Assert.Equal(1, capture.RateLimited);
            Assert.True(capture.WaitUntilIdle(Patience));
            Assert.Equal(2, capture.Saved);
        }

        Assert.Equal(["1", "3"], fixture.Rows().Select(row => row[6]));
    }

    [Fact]
    public void Offer_SameFrameAgainAfterInterval_DuplicateButDifferentFrameSaved()
    {
        var frame = HardFrameFixture.Gradient(64, 48, rising: true, sequence: 1);
        using (var capture = fixture.Create())
        {
            Assert.Equal(HardFrameOutcome.Saved, fixture.Offer(capture, frame, HardFrameFixture.NearThreshold));
            fixture.Time.Advance(TimeSpan.FromSeconds(2));
            frame.Sequence = 2;
            Assert.Equal(HardFrameOutcome.Duplicate, fixture.Offer(capture, frame, HardFrameFixture.NearThreshold));

            // Slight sensor noise is still a duplicate.
            fixture.Time.Advance(TimeSpan.FromSeconds(2));
            Assert.Equal(HardFrameOutcome.Duplicate, fixture.Offer(capture, HardFrameFixture.Gradient(64, 48, rising: true, sequence: 3, seed: 2), HardFrameFixture.NearThreshold));

            fixture.Time.Advance(TimeSpan.FromSeconds(2));
            Assert.Equal(HardFrameOutcome.Saved, fixture.Offer(capture, HardFrameFixture.Gradient(64, 48, rising: false, sequence: 4), HardFrameFixture.NearThreshold));
            Assert.Equal(2, capture.Duplicates);
        }

        Assert.Equal(["1", "4"], fixture.Rows().Select(row => row[6]));
    }

    [Fact]
    public void Offer_FolderReachesMaxBytes_DiskFullAfterFirstAndLoggedOnce()
    {
        var logger = new ListLogger();
        using (var capture = fixture.Create(fixture.Options(o => o with { MaxBytes = 1, MinInterval = TimeSpan.Zero }), logger))
        {
            Assert.Equal(HardFrameOutcome.Saved, fixture.Offer(capture, HardFrameFixture.Noise(16, 12, 1, 1), HardFrameFixture.NearThreshold));
            Assert.True(capture.WaitUntilIdle(Patience));
            Assert.Equal(HardFrameOutcome.DiskFull, fixture.Offer(capture, HardFrameFixture.Noise(16, 12, 2, 2), HardFrameFixture.NearThreshold));
            Assert.Equal(HardFrameOutcome.DiskFull, fixture.Offer(capture, HardFrameFixture.Noise(16, 12, 3, 3), HardFrameFixture.NearThreshold));
            Assert.Equal(1, capture.Saved);
            Assert.Equal(2, capture.DiskFull);
            Assert.True(capture.BytesWritten > 1);
        }

        var row = Assert.Single(fixture.Rows());
        Assert.True(File.Exists(Path.Combine(fixture.Directory, row[0])));
        Assert.Single(Directory.GetFiles(fixture.Directory, "*.png"));
        Assert.Single(logger.Entries, entry => entry.Level == LogLevel.Warning && entry.Message.Contains("nothing is deleted", StringComparison.Ordinal));
    }

    [TmpfsFact]
    public void Offer_DeviceFullThenFreed_CountedAsNoSpace_FramesNotQueuedMeanwhile_EachChangeLoggedOnce()
    {
        var logger = new ListLogger();
        using var disk = Tmpfs.MountAt(fixture.Directory, 64);
        var filler = disk.Fill();
        using (var capture = fixture.Create(fixture.Options(o => o with { MinInterval = TimeSpan.Zero, DuplicateDistance = 0 }), logger))
        {
            using var metrics = new RuntimeMetrics(fixture.Time) { HardFrames = capture };
            using var recorder = new MeterRecorder(metrics.Meter);
            Assert.Equal(HardFrameOutcome.Saved, fixture.Offer(capture, HardFrameFixture.Noise(64, 48, 1, 1), HardFrameFixture.NearThreshold));
            Assert.True(capture.WaitUntilIdle(Patience));
            for (var i = 2; i <= 5; i++)
            {
                fixture.Time.Advance(TimeSpan.FromSeconds(1));
                Assert.Equal(HardFrameOutcome.NoSpace, fixture.Offer(capture, HardFrameFixture.Noise(64, 48, i, i), HardFrameFixture.NearThreshold));
            }

            Assert.Equal(5, capture.NoSpace);
            Assert.Equal(0, capture.Failed);
            recorder.Collect();
            Assert.Equal(5, recorder.Sums["edge_hard_frames{outcome=\"no_space\"}"]);

            File.Delete(filler);
            fixture.Time.Advance(HardFrameCapture.NoSpaceRetryInterval);
            Assert.Equal(HardFrameOutcome.Saved, fixture.Offer(capture, HardFrameFixture.Noise(64, 48, 6, 6), HardFrameFixture.NearThreshold));
            Assert.True(capture.WaitUntilIdle(Patience));
            Assert.Equal(1, capture.Saved);
        }

        Assert.Equal(["6"], fixture.Rows().Select(row => row[6]));
        Assert.Empty(Directory.GetFiles(fixture.Directory, "*.tmp"));
        Assert.Single(logger.Entries, entry => entry.Level == LogLevel.Warning && entry.Message.Contains("no space left on the device", StringComparison.Ordinal));
        Assert.Single(logger.Entries, entry => entry.Message.Contains("saving again; 5 hard frames were not saved meanwhile", StringComparison.Ordinal));
        Assert.Equal(2, logger.Entries.Count);
    }

    [TmpfsFact]
    public void Offer_FolderTurnsReadOnlyThenWritable_FailuresCountedAndLoggedOnceWithoutStackTraces()
    {
        var logger = new ListLogger();
        using var disk = Tmpfs.MountAt(fixture.Directory, 256);
        using (var capture = fixture.Create(fixture.Options(o => o with { MinInterval = TimeSpan.Zero, DuplicateDistance = 0 }), logger))
        {
            disk.Remount(readOnly: true);
            for (var i = 1; i <= 3; i++)
            {
                Assert.Equal(HardFrameOutcome.Saved, fixture.Offer(capture, HardFrameFixture.Noise(16, 12, i, i), HardFrameFixture.NearThreshold));
                Assert.True(capture.WaitUntilIdle(Patience));
            }

            Assert.Equal(3, capture.Failed);
            Assert.Equal(0, capture.NoSpace);
            disk.Remount(readOnly: false);
            Assert.Equal(HardFrameOutcome.Saved, fixture.Offer(capture, HardFrameFixture.Noise(16, 12, 4, 4), HardFrameFixture.NearThreshold));
            Assert.True(capture.WaitUntilIdle(Patience));
            Assert.Equal(1, capture.Saved);
        }

        Assert.Single(logger.Entries, entry => entry.Level == LogLevel.Warning && entry.Message.Contains("saving hard frame 1 to", StringComparison.Ordinal) && entry.Message.Contains("Read-only file system", StringComparison.Ordinal));
        Assert.Single(logger.Entries, entry => entry.Message.Contains("saving again; 3 hard frames were not saved meanwhile", StringComparison.Ordinal));
        Assert.DoesNotContain(logger.Entries, entry => entry.Message.Contains(" at ", StringComparison.Ordinal) && entry.Message.Contains("Exception", StringComparison.Ordinal));
        Assert.Equal(["4"], fixture.Rows().Select(row => row[6]));
    }

    [TmpfsFact]
    public void Constructor_ReadOnlyFolder_RefusedAtStart()
    {
        using var readOnly = Tmpfs.MountAt(fixture.Directory, 64, readOnly: true);

        Assert.ThrowsAny<IOException>(() => fixture.Create());
    }

    [Fact]
    public void Constructor_FolderAlreadyOverBound_DiskFullAndUserFilesUntouched()
    {
        Directory.CreateDirectory(fixture.Directory);
        var userImage = Path.Combine(fixture.Directory, "mine.png");
        File.WriteAllBytes(userImage, new byte[2048]);
        using (var capture = fixture.Create(fixture.Options(o => o with { MaxBytes = 1024 })))
        {
            Assert.Equal(HardFrameOutcome.DiskFull, fixture.Offer(capture, HardFrameFixture.Noise(16, 12, 1, 1), HardFrameFixture.NearThreshold));
            Assert.Equal(0, capture.Saved);
        }

        Assert.Equal(2048, new FileInfo(userImage).Length);
        Assert.Equal([userImage], Directory.GetFiles(fixture.Directory));
    }

    [Fact]
    public void Offer_QueueFullWhileWriterIsBlocked_NewFrameDroppedAndCounted()
    {
        using var gate = new ManualResetEventSlim(false);
        using (var capture = fixture.Create(fixture.Options(o => o with { QueueCapacity = 1, MinInterval = TimeSpan.Zero }), writerGate: gate))
        {
            Assert.Equal(HardFrameOutcome.Saved, fixture.Offer(capture, HardFrameFixture.Noise(16, 12, 1, 1), HardFrameFixture.NearThreshold));
            Assert.Equal(HardFrameOutcome.QueueFull, fixture.Offer(capture, HardFrameFixture.Noise(16, 12, 2, 2), HardFrameFixture.NearThreshold));
            Assert.Equal(HardFrameOutcome.QueueFull, fixture.Offer(capture, HardFrameFixture.Noise(16, 12, 3, 3), HardFrameFixture.NearThreshold));
            Assert.Equal(2, capture.QueueFull);
            Assert.Equal(0, capture.Saved);

            gate.Set();
            Assert.True(capture.WaitUntilIdle(Patience));
            Assert.Equal(HardFrameOutcome.Saved, fixture.Offer(capture, HardFrameFixture.Noise(16, 12, 4, 4), HardFrameFixture.NearThreshold));
        }

        Assert.Equal(["1", "4"], fixture.Rows().Select(row => row[6]));
    }

    [Fact]
    public void Dispose_WithFramesQueued_WritesThemAllBeforeReturning()
    {
        var capture = fixture.Create(fixture.Options(o => o with { MinInterval = TimeSpan.Zero, QueueCapacity = 8 }));
        for (var i = 0; i < 6; i++)
        {
            Assert.Equal(HardFrameOutcome.Saved, fixture.Offer(capture, HardFrameFixture.Noise(40, 30, i, i), HardFrameFixture.NearThreshold));
        }

        capture.Dispose();

        Assert.Equal(6, capture.Saved);
        Assert.Equal(6, fixture.Rows().Count);
        Assert.Empty(Directory.GetFiles(fixture.Directory, "*.tmp"));
        Assert.Throws<ObjectDisposedException>(() => fixture.Offer(capture, HardFrameFixture.Noise(4, 4, 1, 1), HardFrameFixture.NearThreshold));
    }

    [Fact]
    public void Dispose_AfterHardFrames_FolderReadsAsDatasetWithPredictedLabelsAndExactPixels()
    {
        var frames = new[]
        {
            (Frame: HardFrameFixture.Noise(37, 23, 1, 101), Scores: new[] { 0.99f, 0.55f, 0.01f, 0.01f }),
            (Frame: HardFrameFixture.Noise(37, 23, 2, 102), Scores: new[] { 0.2f, 0.01f, 0.56f, 0.97f }),
            (Frame: HardFrameFixture.Noise(20, 30, 3, 103), Scores: new[] { 0.01f, 0.01f, 0.45f, 0.01f }),
        };
        using (var capture = fixture.Create())
        {
            foreach (var (frame, scores) in frames)
            {
                Assert.Equal(HardFrameOutcome.Saved, fixture.Offer(capture, frame, scores));
                fixture.Time.Advance(TimeSpan.FromSeconds(1));
            }
        }

        var dataset = DatasetReader.Read(fixture.Directory);

        Assert.Equal(3, dataset.Images.Count);
        Assert.Equal(["a", "b"], dataset.Images[0].Labels);
        Assert.Equal(["coat, long", "d"], dataset.Images[1].Labels);
        Assert.Empty(dataset.Images[2].Labels);
        for (var i = 0; i < frames.Length; i++)
        {
            var frame = frames[i].Frame;
            Assert.Equal(frame.PixelSpan.ToArray(), ReadBgr(dataset.Images[i].ImagePath, frame.Width, frame.Height));
        }

        var rows = fixture.Rows();
        Assert.Equal("20261126T070000250_101.png", rows[0][0]);
        Assert.Equal("a:0.990;b:0.550;coat, long:0.010;d:0.010", rows[0][2]);
        Assert.Equal(HardFrameFixture.ModelSha, rows[0][4]);
        Assert.Equal("2026-11-26T07:00:00.250Z", rows[0][5]);
        Assert.Equal("margin:coat, long", rows[1][3]); // mean entropy 0.50 bits, under the 0.6 default
        Assert.Equal("margin:coat, long", rows[2][3]);
        Assert.Contains("\"a:0.990;b:0.550;coat, long:0.010;d:0.010\"", File.ReadAllText(fixture.LabelsCsv), StringComparison.Ordinal);
    }

    [Fact]
    public void Dispose_LabelNamesAManifestAccepts_ReadBackByEvalUnchanged()
    {
        // Every kind of character a manifest may use in a label name (Bundles.ManifestValidator) round-trips through
        // the folder into edge eval's reader.
        LabelThreshold[] labels = [new("coat, long", 0.5f, 0.4f), new("say \"hi\"", 0.5f, 0.4f), new("top:left", 0.5f, 0.4f), new("Münze eins", 0.5f, 0.4f)];
        using (var capture = new HardFrameCapture(fixture.Options(), labels, HardFrameFixture.ModelSha, fixture.Time, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance))
        {
            Assert.Equal(HardFrameOutcome.Saved, capture.Offer(HardFrameFixture.Noise(16, 12, 1, 1), [0.55f, 0.56f, 0.57f, 0.58f], [3, 2, 1, 0], [], [], fixture.Time.GetUtcNow()));
        }

        var image = Assert.Single(DatasetReader.Read(fixture.Directory).Images);
        Assert.Equal(["Münze eins", "top:left", "say \"hi\"", "coat, long"], image.Labels);
    }

    [Fact]
    public void Constructor_ExistingHardFrameFolder_AppendsRowsUnderOneHeader()
    {
        using (var capture = fixture.Create())
        {
            fixture.Offer(capture, HardFrameFixture.Noise(16, 12, 1, 1), HardFrameFixture.NearThreshold);
        }

        fixture.Time.Advance(TimeSpan.FromSeconds(5));
        using (var capture = fixture.Create())
        {
            fixture.Offer(capture, HardFrameFixture.Noise(16, 12, 2, 1), HardFrameFixture.NearThreshold);
        }

        var text = File.ReadAllText(fixture.LabelsCsv);
        Assert.Equal(1, text.Split('\n').Count(line => line == HardFrameFolder.Header));
        Assert.Equal(2, fixture.Rows().Count);
        Assert.Equal(2, DatasetReader.Read(fixture.Directory).Images.Count);
    }

    [Fact]
    public void Constructor_LabelsCsvCutShortByCrash_NextRowStartsOnItsOwnLine()
    {
        Directory.CreateDirectory(fixture.Directory);
        File.WriteAllText(fixture.LabelsCsv, HardFrameFolder.Header + "\n" + "gone.png,a;b,a:0.9");
        using (var capture = fixture.Create())
        {
            fixture.Offer(capture, HardFrameFixture.Noise(16, 12, 1, 5), HardFrameFixture.NearThreshold);
        }

        var rows = fixture.Rows();
        Assert.Equal(2, rows.Count);
        Assert.Equal("gone.png", rows[0][0]);
        Assert.Equal("5", rows[1][6]);
    }

    [Fact]
    public void Constructor_ForeignLabelsCsv_ThrowsAndLeavesItAlone()
    {
        Directory.CreateDirectory(fixture.Directory);
        const string Foreign = "image,labels\nx.png,a\n";
        File.WriteAllText(fixture.LabelsCsv, Foreign);

        var error = Assert.Throws<InvalidDataException>(() => fixture.Create().Dispose());

        Assert.Contains("image,labels,scores,reasons,model_sha256,captured_at,frame", error.Message, StringComparison.Ordinal);
        Assert.Equal(Foreign, File.ReadAllText(fixture.LabelsCsv));
    }

    [Fact]
    public void Offer_SameTimeAndSequenceTwice_KeepsBothImages()
    {
        using (var capture = fixture.Create(fixture.Options(o => o with { MinInterval = TimeSpan.Zero })))
        {
            Assert.Equal(HardFrameOutcome.Saved, fixture.Offer(capture, HardFrameFixture.Gradient(32, 24, rising: true, sequence: 9), HardFrameFixture.NearThreshold));
            Assert.True(capture.WaitUntilIdle(Patience));
            Assert.Equal(HardFrameOutcome.Saved, fixture.Offer(capture, HardFrameFixture.Gradient(32, 24, rising: false, sequence: 9), HardFrameFixture.NearThreshold));
        }

        Assert.Equal(["20261126T070000250_9.png", "20261126T070000250_9-2.png"], fixture.Rows().Select(row => row[0]));
        Assert.Equal(2, DatasetReader.Read(fixture.Directory).Images.Count);
    }

    [Theory]
    [InlineData(nameof(HardFrameOptions.Margin))]
    [InlineData(nameof(HardFrameOptions.MinMeanEntropy))]
    [InlineData(nameof(HardFrameOptions.LabelCountDeviation))]
    [InlineData(nameof(HardFrameOptions.FlickerWindow))]
    [InlineData(nameof(HardFrameOptions.FlickerTurns))]
    [InlineData(nameof(HardFrameOptions.MinInterval))]
    [InlineData(nameof(HardFrameOptions.DuplicateDistance))]
    [InlineData(nameof(HardFrameOptions.MaxBytes))]
    [InlineData(nameof(HardFrameOptions.QueueCapacity))]
    public void Constructor_OptionOutOfRange_ThrowsNamingIt(string option)
    {
        var options = fixture.Options(o => option switch
        {
            nameof(HardFrameOptions.Margin) => o with { Margin = -0.1 },
            nameof(HardFrameOptions.MinMeanEntropy) => o with { MinMeanEntropy = double.NaN },
            nameof(HardFrameOptions.LabelCountDeviation) => o with { LabelCountDeviation = 0 },
            nameof(HardFrameOptions.FlickerWindow) => o with { FlickerWindow = 0 },
            nameof(HardFrameOptions.FlickerTurns) => o with { FlickerTurns = 11 },
            nameof(HardFrameOptions.MinInterval) => o with { MinInterval = TimeSpan.FromSeconds(-1) },
            nameof(HardFrameOptions.DuplicateDistance) => o with { DuplicateDistance = 65 },
            nameof(HardFrameOptions.MaxBytes) => o with { MaxBytes = 0 },
            _ => o with { QueueCapacity = 0 },
        });

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => fixture.Create(options).Dispose());

        Assert.Equal(option, error.ParamName);
        Assert.Contains("expected", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(fixture.Directory));
    }

    [Fact]
    public void DifferenceHash_MirroredGradient_DiffersInEveryBit()
    {
        var rising = HardFrameFixture.Gradient(90, 80, rising: true, sequence: 0);
        var falling = HardFrameFixture.Gradient(90, 80, rising: false, sequence: 0);

        var a = DifferenceHash.Compute(rising.PixelSpan, 90, 80);
        var b = DifferenceHash.Compute(falling.PixelSpan, 90, 80);

        Assert.Equal(64, DifferenceHash.Distance(a, b));
        Assert.Equal(0, DifferenceHash.Distance(a, DifferenceHash.Compute(rising.PixelSpan, 90, 80)));
    }

    [Fact]
    public void DifferenceHash_FrameSmallerThanGrid_StillHashes()
    {
        var tiny = HardFrameFixture.Noise(3, 2, 5, 0);

        var hash = DifferenceHash.Compute(tiny.PixelSpan, 3, 2);

        Assert.Equal(hash, DifferenceHash.Compute(tiny.PixelSpan, 3, 2));
    }

    private static byte[] ReadBgr(string path, int width, int height)
    {
        using var image = Cv2.ImRead(path, ImreadModes.Color);
        Assert.Equal(width, image.Width);
        Assert.Equal(height, image.Height);
        Assert.True(image.IsContinuous());
        var bytes = new byte[width * height * 3];
        Marshal.Copy(image.Data, bytes, 0, bytes.Length);
        return bytes;
    }
}
