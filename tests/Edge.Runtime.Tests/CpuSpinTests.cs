using Edge.Runtime.Inference;

namespace Edge.Runtime.Tests;

public sealed class CpuSpinTests
{
    [Theory]
    [InlineData(CpuSpin.Always, "session.intra_op.allow_spinning=1")]
    [InlineData(CpuSpin.DuringRun, "session.intra_op.allow_spinning=1;session.force_spinning_stop=1")]
    [InlineData(CpuSpin.Never, "session.intra_op.allow_spinning=0")]
    public void SessionConfigEntries_EachMode_SelectsOnnxRuntimesSpinSettings(CpuSpin spin, string expected)
    {
        var entries = string.Join(';', spin.SessionConfigEntries().Select(e => $"{e.Key}={e.Value}"));

        Assert.Equal(expected, entries);
    }

    [Theory]
    [InlineData("always", CpuSpin.Always)]
    [InlineData("During-Run", CpuSpin.DuringRun)]
    [InlineData("never", CpuSpin.Never)]
    public void Parse_KnownName_RoundTripsThroughName(string text, CpuSpin expected)
    {
        var spin = CpuSpinNames.Parse(text);

        Assert.Equal(expected, spin);
        Assert.Equal(text.ToLowerInvariant(), spin.Name());
    }

    [Theory]
    [InlineData(CpuSpin.Always)]
    [InlineData(CpuSpin.DuringRun)]
    [InlineData(CpuSpin.Never)]
    public void SessionConfigEntries_EachKey_IsOneTheShippedOnnxRuntimeKnows(CpuSpin spin)
    {
        // ONNX Runtime accepts any session config key without a word, so a misspelt key would silently do nothing:
        // check each against the key strings compiled into the native library the app ships.
        var library = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libonnxruntime.so"));

        foreach (var (key, _) in spin.SessionConfigEntries())
        {
            Assert.True(library.AsSpan().IndexOf([.. System.Text.Encoding.ASCII.GetBytes(key), (byte)0]) >= 0, $"'{key}' is not a key this ONNX Runtime knows");
        }
    }

    [Fact]
    public void Create_DuringRun_RunsTheModelWithTheSameScores()
    {
        using var test = TestBundle.Create();
        using var reference = ModelSession.Create(test.Load(), ExecutionProviderChoice.Cpu, 2);
        using var session = ModelSession.Create(test.Load(), ExecutionProviderChoice.Cpu, 2, spin: CpuSpin.DuringRun);
        var random = new Random(5);
        for (var i = 0; i < session.Input.Length; i++)
        {
            session.Input[i] = reference.Input[i] = random.Next(256);
        }

        reference.Run();
        session.Run();

        Assert.Equal(reference.Output, session.Output);
    }
}
