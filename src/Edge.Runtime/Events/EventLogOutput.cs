using Edge.Runtime.Pipeline;
using Edge.Runtime.Publishing;
using Microsoft.Extensions.Logging;

namespace Edge.Runtime.Events;

/// <summary>
/// Logs events on stderr: degrade and recover as warnings/information, each deadline miss at debug level (there may
/// be one per frame; the run summary counts them all).
/// </summary>
public sealed partial class EventLogOutput(ILogger logger) : IFrameOutput
{
    public void OnFrame(in FrameReport report)
    {
    }

    public void OnEvent(in PipelineEvent pipelineEvent)
    {
        switch (pipelineEvent.Kind)
        {
            case PipelineEventKind.DeadlineMissed:
                if (logger.IsEnabled(LogLevel.Debug))
                {
                    LogMissed(pipelineEvent.Frame, EventJsonWriter.ReasonName(pipelineEvent.Reason), pipelineEvent.Stage is { } stage ? EventJsonWriter.StageName(stage) : "-", pipelineEvent.LatencyMs, pipelineEvent.BudgetMs, pipelineEvent.Status.TotalCount);
                }

                break;
            case PipelineEventKind.Degraded:
                LogDegraded(pipelineEvent.Frame, pipelineEvent.Level, pipelineEvent.Profile, pipelineEvent.MissRate);
                break;
            case PipelineEventKind.LabelOn or PipelineEventKind.LabelOff or PipelineEventKind.CameraLost or PipelineEventKind.CameraRecovered:
                break; // the label-set stream and the capture loop's own log lines already say these

            case PipelineEventKind.ModelSwapped:
                LogSwapped(pipelineEvent.Stream, pipelineEvent.Head, pipelineEvent.PreviousModel, pipelineEvent.Model, pipelineEvent.Frame, pipelineEvent.Swap.TotalMs);
                break;

            default:
                LogRecovered(pipelineEvent.Frame, pipelineEvent.Level, pipelineEvent.Profile);
                break;
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "frame {Frame} missed its deadline ({Reason}, stage {Stage}) at {LatencyMs:F1} ms of {BudgetMs} ms; {Total} missed so far")]
    private partial void LogMissed(long frame, string reason, string stage, double latencyMs, double budgetMs, long total);

    [LoggerMessage(Level = LogLevel.Warning, Message = "frame {Frame}: degraded to level {Level} ({Profile}), miss rate {MissRate:P0}")]
    private partial void LogDegraded(long frame, int level, string? profile, double missRate);

    [LoggerMessage(Level = LogLevel.Information, Message = "stream {Stream}: head {Head} swapped from model {Previous} to {Model} after frame {Frame} ({TotalMs:F0} ms in all)")]
    private partial void LogSwapped(string stream, string? head, string? previous, string? model, long frame, double totalMs);

    [LoggerMessage(Level = LogLevel.Information, Message = "frame {Frame}: recovered to level {Level} ({Profile})")]
    private partial void LogRecovered(long frame, int level, string? profile);
}
