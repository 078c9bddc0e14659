namespace Edge.Runtime.Budget;

/// <summary>Deadline-missed status in the style of ROS 2's <c>RequestedDeadlineMissedStatus</c>.</summary>
/// <param name="TotalCount">Frames that missed their deadline since start.</param>
/// <param name="TotalCountChange">Of those, how many since the status was last taken.</param>
public readonly record struct DeadlineMissedStatus(long TotalCount, long TotalCountChange);

/// <summary>Counts missed deadlines; <see cref="Take"/> reports the total and the change since the previous take.</summary>
public sealed class DeadlineMissCounter
{
    private long total;
    private long takenAt;

    public long TotalCount => Interlocked.Read(ref total);

    public void Record() => Interlocked.Increment(ref total);

    public DeadlineMissedStatus Take()
    {
        var now = Interlocked.Read(ref total);
        var previous = Interlocked.Exchange(ref takenAt, now);
        return new DeadlineMissedStatus(now, now - previous);
    }
}
