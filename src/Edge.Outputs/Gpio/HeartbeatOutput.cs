namespace Edge.Outputs.Gpio;

/// <summary>
/// Toggles every half period while frames keep arriving; goes inactive once no frame has come for a full period
/// (at least a second, so a heartbeat faster than the frame rate does not stutter between frames).
/// </summary>
internal sealed class HeartbeatOutput(OutputLine line, long halfPeriodTicks, long ticksPerSecond)
{
    private readonly long stallTicks = Math.Max(2 * halfPeriodTicks, ticksPerSecond);
    private bool running;
    private long nextToggle;

    public OutputLine Line => line;

    public void Update(long now, long? lastFrameAt)
    {
        if (lastFrameAt is not { } last || now - last >= stallTicks)
        {
            running = false;
            line.Set(false);
            return;
        }

        if (!running)
        {
            running = true;
            line.Set(true);
            nextToggle = now + halfPeriodTicks;
            return;
        }

        if (now >= nextToggle)
        {
            line.Set(!line.IsActive);
            nextToggle += halfPeriodTicks;
            if (nextToggle <= now)
            {
                // Evaluated late (no frame or tick for a while): restart the phase instead of toggling in a burst.
                nextToggle = now + halfPeriodTicks;
            }
        }
    }
}
