using Edge.Runtime.Pipeline;
using Edge.Runtime.Publishing;
using Microsoft.Extensions.Logging;

namespace Edge.Runtime.Budget;

/// <summary>
/// Notices a run in which no frame meets its deadline: a budget below what the model takes here cancels or drops every
/// frame, nothing is published, and a frame limit (which counts published label sets) is never reached.
/// From the first frame that misses after one that met its deadline, it warns after <see cref="FirstWarning"/>, then
/// again each time that stretch has doubled (5 s, 10 s, 20 s, ...), with the counts; a frame that meets its deadline
/// ends the stretch. Frames skipped on purpose (degrade stride, trigger input) neither start nor end one.
/// </summary>
/// <remarks>Told about every frame on the frame thread: a few counter updates, no allocation; logging is rare.</remarks>
public sealed partial class MissedDeadlineWatch(double budgetMs, TimeProvider time, ILogger logger) : IFrameOutput
{
    /// <summary>How long a stretch without a met deadline lasts before the first warning.</summary>
    public static readonly TimeSpan FirstWarning = TimeSpan.FromSeconds(5);

    private readonly long firstWarningTicks = (long)(FirstWarning.TotalSeconds * time.TimestampFrequency);
    private MissedStretch stretch;
    private long stretchStart;
    private long nextWarningTicks;
    private bool inStretch;
    private bool anyMet;

    /// <summary>Whether a frame has met its deadline since the run started.</summary>
    public bool AnyMet => anyMet;

    /// <summary>Warnings logged for the stretch in progress (0 when none is).</summary>
    public int Warnings { get; private set; }

    /// <summary>The stretch without a met deadline in progress, or null when the last frame met its deadline.</summary>
    public MissedStretch? Current => inStretch ? stretch with { Duration = time.GetElapsedTime(stretchStart) } : null;

    public void OnFrame(in FrameReport report)
    {
        switch (report.Outcome)
        {
            case FrameOutcome.Published:
                anyMet = true;
                if (inStretch && Warnings > 0)
                {
                    LogMetAgain(report.Frame, time.GetElapsedTime(stretchStart).TotalSeconds, stretch.Frames);
                }

                inStretch = false;
                Warnings = 0;
                return;
            case FrameOutcome.Skipped:
                return;
        }

        var now = time.GetTimestamp();
        if (!inStretch)
        {
            inStretch = true;
            stretch = default;
            stretchStart = now;
            nextWarningTicks = firstWarningTicks;
        }

        stretch = report.Outcome switch
        {
            FrameOutcome.Cancelled => stretch with { Cancelled = stretch.Cancelled + 1 },
            FrameOutcome.PublishedLate => stretch with { Late = stretch.Late + 1 },
            FrameOutcome.Withheld => stretch with { Withheld = stretch.Withheld + 1 },
            _ => stretch with { DroppedStale = stretch.DroppedStale + 1 },
        };

        if (now - stretchStart >= nextWarningTicks)
        {
            Warnings++;
            nextWarningTicks *= 2;
            LogNoneMet(budgetMs, (now - stretchStart) / (double)time.TimestampFrequency, stretch.Frames, stretch.Cancelled, stretch.Late, stretch.Withheld, stretch.DroppedStale);
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "no frame has met its {BudgetMs} ms deadline for {Seconds:F0} s: {Frames} frames ({Cancelled} cancelled, {Late} late, {Withheld} withheld, {DroppedStale} dropped stale), {Late} published (late); the budget may be below what this model takes here: raise it or use a faster model (a frame limit counts published label sets only)")]
    private partial void LogNoneMet(double budgetMs, double seconds, long frames, long cancelled, long late, long withheld, long droppedStale);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "frame {Frame} met its deadline again, after {Seconds:F0} s and {Frames} frames that did not")]
    private partial void LogMetAgain(long frame, double seconds, long frames);
}

/// <summary>Frames since the last that met its deadline, by what became of them.</summary>
public readonly record struct MissedStretch(long Cancelled, long Late, long Withheld, long DroppedStale)
{
    /// <summary>Every frame of the stretch.</summary>
    public long Frames => Cancelled + Late + Withheld + DroppedStale;

    /// <summary>Since the first frame of the stretch.</summary>
    public TimeSpan Duration { get; init; }
}
