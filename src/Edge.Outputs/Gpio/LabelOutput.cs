namespace Edge.Outputs.Gpio;

/// <summary>
/// One rule's line: follows its label, except that once on it stays on for the minimum on-time, and once off it
/// stays off for the hold-off. A change the timing defers happens at the first evaluation after it is allowed.
/// Only label sets of its stream (and head, when given) move it.
/// </summary>
internal sealed class LabelOutput(OutputLine line, int labelIndex, string stream, string? model, long minOnTicks, long holdOffTicks)
{
    private bool switched;
    private long switchedAt;

    public OutputLine Line => line;

    public int LabelIndex => labelIndex;

    /// <summary>Whether a report is of this rule's stream and head (ordinal compares: no allocation).</summary>
    public bool Follows(string reportStream, string reportModel) =>
        string.Equals(reportStream, stream, StringComparison.Ordinal) && (model is null || string.Equals(reportModel, model, StringComparison.Ordinal));

    /// <summary>Whether the label was active in the last decoded frame.</summary>
    public bool Wanted { get; set; }

    public void Update(long now)
    {
        if (line.IsActive)
        {
            if (!Wanted && now - switchedAt >= minOnTicks)
            {
                Switch(false, now);
            }
        }
        else if (Wanted && (!switched || now - switchedAt >= holdOffTicks))
        {
            Switch(true, now);
        }
    }

    private void Switch(bool active, long now)
    {
        line.Set(active);
        switched = true;
        switchedAt = now;
    }
}
