using Edge.Camera.Frames;

namespace Edge.Testing;

/// <summary>Takes every frame a slot hands over until its producer completes it.</summary>
internal static class SlotDrain
{
    /// <returns>The sequence numbers taken, in order; fails the test when the slot is not completed within <paramref name="patience"/>.</returns>
    public static List<long> Sequences(FrameSlot slot, TimeSpan patience)
    {
        using var timeout = new CancellationTokenSource(patience);
        var sequences = new List<long>();
        while (slot.Take(timeout.Token) is { } frame)
        {
            sequences.Add(frame.Sequence);
        }

        Assert.False(timeout.IsCancellationRequested, "the slot was never completed");
        return sequences;
    }
}
