using Edge.Camera.Frames;

namespace Edge.Camera.Tests;

public sealed class LosslessFrameSlotTests
{
    private static FrameSlot NewSlot() => new(() => new Frame(4, 4), FrameHandoff.Lossless);

    private static bool PublishSequence(FrameSlot slot, long sequence, CancellationToken cancellationToken = default)
    {
        var frame = slot.SpareForWriter;
        frame.Sequence = sequence;
        frame.PixelSpan.Fill((byte)sequence);
        return slot.Publish(cancellationToken);
    }

    [Fact]
    public void Take_WithAWriterFasterThanTheReader_GetsEveryFrameInOrderAndNoneOverwritten()
    {
        const int Frames = 200;
        var slot = NewSlot();
        var writer = new Thread(() =>
        {
            for (var sequence = 1; sequence <= Frames; sequence++)
            {
                PublishSequence(slot, sequence);
            }

            slot.Complete();
        });
        writer.Start();

        var seen = new List<long>();
        while (slot.Take(CancellationToken.None) is { } frame)
        {
            Assert.Equal((byte)frame.Sequence, frame.PixelSpan[0]);
            seen.Add(frame.Sequence);
            if (seen.Count % 20 == 0)
            {
                Thread.Sleep(1);
            }
        }

        writer.Join();
        Assert.Equal(Enumerable.Range(1, Frames).Select(i => (long)i), seen);
        Assert.Equal(0, slot.Overwritten);
    }

    [Fact]
    public async Task Publish_WhileAFrameWaitsForTheReader_BlocksUntilItIsTaken()
    {
        var slot = NewSlot();
        Assert.True(PublishSequence(slot, 1));
        var second = Task.Run(() => PublishSequence(slot, 2));

        var first = await Task.WhenAny(second, Task.Delay(200));
        Assert.NotSame(second, first);
        Assert.Equal(1, slot.Take(CancellationToken.None)?.Sequence);
        Assert.True(await second.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(2, slot.Take(CancellationToken.None)?.Sequence);
        Assert.Equal(0, slot.Overwritten);
    }

    [Fact]
    public void Publish_WhenTheWaitIsCancelled_ReturnsFalseAndKeepsTheWaitingFrame()
    {
        var slot = NewSlot();
        PublishSequence(slot, 1);
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        var published = PublishSequence(slot, 2, cancellation.Token);

        Assert.False(published);
        Assert.Equal(1, slot.Take(CancellationToken.None)?.Sequence);
        Assert.Equal(0, slot.Overwritten);
    }

    [Fact]
    public void Publish_OnALosslessSlot_MarksFramesBudgetedFromTheHandoff()
    {
        var lossless = NewSlot();
        var latest = new FrameSlot(() => new Frame(4, 4));
        PublishSequence(lossless, 1);
        var frame = latest.SpareForWriter;
        latest.Publish();

        Assert.True(lossless.Take(CancellationToken.None)!.BudgetFromHandoff);
        Assert.False(latest.Take(CancellationToken.None)!.BudgetFromHandoff);
    }
}
