using Edge.Camera.Frames;

namespace Edge.Camera.Tests;

public sealed class FrameSlotTests
{
    private static FrameSlot NewSlot() => new(() => new Frame(4, 4));

    private static void PublishSequence(FrameSlot slot, long sequence)
    {
        var frame = slot.SpareForWriter;
        frame.Sequence = sequence;
        frame.PixelSpan.Fill((byte)sequence);
        slot.Publish();
    }

    [Fact]
    public void Take_AfterThreePublishes_ReturnsLatestAndCountsTwoOverwritten()
    {
        var slot = NewSlot();
        PublishSequence(slot, 1);
        PublishSequence(slot, 2);
        PublishSequence(slot, 3);

        var frame = slot.Take(CancellationToken.None);

        Assert.NotNull(frame);
        Assert.Equal(3, frame.Sequence);
        Assert.Equal(2, slot.Overwritten);
    }

    [Fact]
    public void Publish_NeverHandsTheWriterTheFrameTheReaderHolds()
    {
        var slot = NewSlot();
        PublishSequence(slot, 1);
        var held = slot.Take(CancellationToken.None);

        for (var sequence = 2; sequence < 10; sequence++)
        {
            Assert.NotSame(held, slot.SpareForWriter);
            PublishSequence(slot, sequence);
        }

        Assert.Equal(1, held!.Sequence);
    }

    [Fact]
    public void Take_AfterComplete_DrainsLastFrameThenReturnsNull()
    {
        var slot = NewSlot();
        PublishSequence(slot, 1);
        PublishSequence(slot, 2);
        slot.Complete();

        var last = slot.Take(CancellationToken.None);
        var afterEnd = slot.Take(CancellationToken.None);
        var again = slot.Take(CancellationToken.None);

        Assert.Equal(2, last?.Sequence);
        Assert.Null(afterEnd);
        Assert.Null(again);
    }

    [Fact]
    public void Take_Cancelled_ReturnsNull()
    {
        var slot = NewSlot();
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));

        var frame = slot.Take(cancellation.Token);

        Assert.Null(frame);
    }

    [Fact]
    public void Take_WriterAndReaderRacing_LosesAndDuplicatesNothing()
    {
        const int published = 5000;
        var slot = NewSlot();
        var taken = 0L;
        var lastSequence = 0L;
        var violations = new List<string>();
        var reader = new Thread(() =>
        {
            while (slot.Take(CancellationToken.None) is { } frame)
            {
                if (frame.Sequence <= Volatile.Read(ref lastSequence))
                {
                    violations.Add($"sequence {frame.Sequence} after {lastSequence}");
                }

                foreach (var value in frame.PixelSpan)
                {
                    if (value != (byte)frame.Sequence)
                    {
                        violations.Add($"frame {frame.Sequence} holds pixels of another frame");
                        break;
                    }
                }

                Volatile.Write(ref lastSequence, frame.Sequence);
                Interlocked.Increment(ref taken);
            }
        });
        reader.Start();

        for (var sequence = 1L; sequence <= published; sequence++)
        {
            PublishSequence(slot, sequence);
            if (sequence % 10 == 0)
            {
                // Bursts of ten race the reader; then the writer lets it catch up so both sides interleave for sure.
                var caughtUp = sequence;
                Assert.True(SpinWait.SpinUntil(() => Volatile.Read(ref lastSequence) == caughtUp, TimeSpan.FromSeconds(5)), $"reader stuck before {sequence}");
            }
        }

        slot.Complete();
        Assert.True(reader.Join(TimeSpan.FromSeconds(10)), "reader did not finish");

        Assert.Empty(violations);
        Assert.Equal(published, lastSequence);
        Assert.Equal(published, taken + slot.Overwritten);
        Assert.InRange(taken, published / 10, published);
    }
}
