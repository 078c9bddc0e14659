namespace Edge.Outputs.Gpio;

/// <summary>Active for the hold time after the latest frame that missed its deadline.</summary>
internal sealed class DeadlineAlertOutput(OutputLine line, long holdTicks)
{
    private long activeUntil;

    public OutputLine Line => line;

    public void Raise(long now)
    {
        activeUntil = now + holdTicks;
        line.Set(true);
    }

    public void Update(long now)
    {
        if (line.IsActive && now >= activeUntil)
        {
            line.Set(false);
        }
    }
}
