using Edge.Camera.Frames;

namespace Edge.Camera.Tests;

/// <summary>The non-blocking take and the shared signal a reader of several slots waits on.</summary>
public sealed class FrameSlotTryTakeTests
{
    private static void PublishSequence(FrameSlot slot, long sequence)
    {
        slot.SpareForWriter.Sequence = sequence;
        slot.Publish();
    }

    [Fact]
    public void TryTake_NothingPublished_IsEmpty()
    {
        var slot = new FrameSlot(() => new Frame(4, 4));

        Assert.Equal(SlotState.Empty, slot.TryTake(out var frame));
        Assert.Null(frame);
    }

    [Fact]
    public void TryTake_TwoPublished_TakesTheNewestOnceThenIsEmpty()
    {
        var slot = new FrameSlot(() => new Frame(4, 4));
        PublishSequence(slot, 1);
        PublishSequence(slot, 2);

        Assert.Equal(SlotState.Taken, slot.TryTake(out var frame));
        Assert.Equal(2, frame!.Sequence);
        Assert.Equal(SlotState.Empty, slot.TryTake(out _));
    }

    [Fact]
    public void TryTake_CompletedAfterAFrame_GivesTheFrameThenCompletedEveryTime()
    {
        var slot = new FrameSlot(() => new Frame(4, 4));
        PublishSequence(slot, 7);
        slot.Complete();

        Assert.Equal(SlotState.Taken, slot.TryTake(out var frame));
        Assert.Equal(7, frame!.Sequence);
        Assert.Equal(SlotState.Completed, slot.TryTake(out _));
        Assert.Equal(SlotState.Completed, slot.TryTake(out _));
        Assert.Null(slot.Take(CancellationToken.None));
    }

    [Fact]
    public void TryTake_NeverHandsTheWriterTheFrameTheReaderHolds()
    {
        var slot = new FrameSlot(() => new Frame(4, 4));
        PublishSequence(slot, 1);
        slot.TryTake(out var held);

        for (var sequence = 2; sequence < 10; sequence++)
        {
            Assert.NotSame(held, slot.SpareForWriter);
            PublishSequence(slot, sequence);
        }
    }

    [Fact]
    public async Task TryTake_LosslessSlot_LetsTheWaitingWriterGoOn()
    {
        var slot = new FrameSlot(() => new Frame(4, 4), FrameHandoff.Lossless);
        PublishSequence(slot, 1);
        var second = Task.Run(() => PublishSequence(slot, 2));
        Assert.NotSame(second, await Task.WhenAny(second, Task.Delay(100)));

        Assert.Equal(SlotState.Taken, slot.TryTake(out _));

        await second.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(SlotState.Taken, slot.TryTake(out var frame));
        Assert.Equal(2, frame!.Sequence);
    }

    [Fact]
    public void Signal_PublishOnAnySlot_WakesTheReader()
    {
        using var signal = new FrameSignal();
        var first = new FrameSlot(() => new Frame(4, 4)) { Signal = signal };
        var second = new FrameSlot(() => new Frame(4, 4)) { Signal = signal };

        Assert.False(signal.Wait(TimeSpan.Zero, CancellationToken.None));
        PublishSequence(second, 1);
        Assert.True(signal.Wait(TimeSpan.Zero, CancellationToken.None));

        first.Complete();
        Assert.True(signal.Wait(TimeSpan.Zero, CancellationToken.None));
    }

    [Fact]
    public void Signal_SetManyTimesBeforeTheReaderWakes_WakesItOnce()
    {
        using var signal = new FrameSignal();
        signal.Set();
        signal.Set();
        signal.Set();

        Assert.True(signal.Wait(TimeSpan.Zero, CancellationToken.None));
        Assert.False(signal.Wait(TimeSpan.Zero, CancellationToken.None));
    }

    [Fact]
    public void Signal_Cancelled_ReturnsFalse()
    {
        using var signal = new FrameSignal();
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();

        Assert.False(signal.Wait(TimeSpan.FromSeconds(10), cancel.Token));
    }
}
