using Edge.Runtime.Inference;
using Edge.Runtime.Pipeline;
using Edge.Runtime.Preprocessing;

namespace Edge.Runtime.Tests.Pipeline;

/// <summary>A session made for several frames per run, on the tiny model with a dynamic batch axis.</summary>
public sealed class BatchedSessionTests : IDisposable
{
    private readonly TestBundle test = TestBundle.CreateBatched(maxBatch: 4);

    public void Dispose() => test.Dispose();

    [Fact]
    public void Run_BatchOfThree_EachRowScoresAsItsFrameAlone()
    {
        var bundle = test.Load();
        using var batched = ModelSession.Create(bundle, ExecutionProviderChoice.Cpu, 1, maxBatch: 4);
        using var single = ModelSession.Create(bundle, ExecutionProviderChoice.Cpu, 1);
        var preprocessor = new ImagePreprocessor(bundle.Input);
        var frames = Enumerable.Range(0, 3).Select(seed => PipelineHarness.RandomFrame(48, 40, seed)).ToArray();
        for (var row = 0; row < frames.Length; row++)
        {
            preprocessor.Process(frames[row].PixelSpan, frames[row].Width, frames[row].Height, batched.InputOf(row));
        }

        batched.Run(3);

        for (var row = 0; row < frames.Length; row++)
        {
            preprocessor.Process(frames[row].PixelSpan, frames[row].Width, frames[row].Height, single.InputOf(0));
            single.Run();
            var alone = single.OutputOf(0).ToArray();
            var inBatch = batched.OutputOf(row).ToArray();
            Assert.Equal(alone.Length, inBatch.Length);
            for (var label = 0; label < alone.Length; label++)
            {
                Assert.Equal(alone[label], inBatch[label], 4);
            }
        }
    }

    [Fact]
    public void Run_SmallerBatchAfterALargerOne_LeavesTheRowsBeyondItUntouched()
    {
        using var session = ModelSession.Create(test.Load(), ExecutionProviderChoice.Cpu, 1, maxBatch: 4);
        Array.Fill(session.Input, 10f);
        session.Run(4);
        var fourth = session.OutputOf(3).ToArray();

        session.InputOf(0).Fill(200f);
        session.Run(1);

        Assert.Equal(fourth, session.OutputOf(3).ToArray());
        Assert.NotEqual(fourth, session.OutputOf(0).ToArray());
    }

    [Fact]
    public void Create_MaxBatchAboveTheBundles_Throws()
    {
        Assert.ThrowsAny<ArgumentException>(() => ModelSession.Create(test.Load(), ExecutionProviderChoice.Cpu, 1, maxBatch: 5));
    }

    [Fact]
    public void Create_FixedBatchBundle_RunsOneFrameAtATime()
    {
        using var fixedBatch = TestBundle.Create();
        using var session = ModelSession.Create(fixedBatch.Load(), ExecutionProviderChoice.Cpu, 1);

        Assert.Equal(1, session.MaxBatch);
        Assert.Equal(3 * 32 * 32, session.InputOf(0).Length);
        Assert.Equal(10, session.OutputOf(0).Length);
    }
}
