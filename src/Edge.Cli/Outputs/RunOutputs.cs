using Edge.Outputs.Display;
using Edge.Runtime.Budget;
using Edge.Runtime.Events;
using Edge.Runtime.Publishing;

namespace Edge.Cli.Outputs;

/// <summary>
/// The outputs of <c>edge run</c>: one registration per kind, each making its output from the resolved settings (and
/// the outputs made before it) or returning null when not asked for. Frames and events reach them in this order;
/// they are made in it too, and disposed in reverse.
/// </summary>
internal sealed class RunOutputs : IDisposable
{
    private static readonly Func<RunContext, IReadOnlyList<RunOutput>, RunOutput?>[] Kinds =
    [
        (context, _) => RunOutput.Of(context.Lines.LabelSetOutput()),
        (context, _) => RunOutput.Of(new EventLogOutput(context.Loggers.CreateLogger("edge.budget"))),
        (context, _) => context.Lines.Events is { } events ? RunOutput.Of(new EventLinesOutput(new EventJsonWriter(context.Settings.Device), events)) : null,
        (context, _) => RunOutput.Of(new MissedDeadlineWatch(context.Settings.BudgetMs, context.Time, context.Loggers.CreateLogger("edge.budget"))),
        (context, _) => MetricsRunOutput.Create(context),
        HttpRunOutput.Create,
        (context, _) => GpioRunOutput.Create(context),
        (context, _) => context.Settings.Display is { } display ? RunOutput.Of(StatusDisplay.Open(display, context.LabelNames, context.Loggers.CreateLogger("edge.display"), [.. context.Settings.EffectiveStreams().Select(stream => stream.Id)], context.HeadNames[0])) : null,
        (context, _) => MqttRunOutput.Create(context),
        (context, _) => SystemdRunOutput.Create(context),
    ];

    private readonly List<RunOutput> outputs;

    private RunOutputs(List<RunOutput> outputs)
    {
        this.outputs = outputs;
        FrameOutputs = [.. outputs.Select(output => output.Output).OfType<IFrameOutput>()];
        var gates = outputs.Select(output => output.Gate).OfType<Func<bool>>().ToArray();
        Gate = gates.Length switch
        {
            0 => null,
            1 => gates[0],
            _ => () => Array.TrueForAll(gates, gate => gate()),
        };
    }

    /// <summary>What the pipeline tells about every frame and event.</summary>
    public IReadOnlyList<IFrameOutput> FrameOutputs { get; }

    /// <summary>Every output's gate at once; null when none has one.</summary>
    public Func<bool>? Gate { get; }

    public static RunOutputs Create(RunContext context)
    {
        var made = new List<RunOutput>();
        try
        {
            foreach (var kind in Kinds)
            {
                if (kind(context, made) is { } output)
                {
                    made.Add(output);
                }
            }

            return new RunOutputs(made);
        }
        catch
        {
            Dispose(made);
            throw;
        }
    }

    /// <summary>The output of this type, if one was made.</summary>
    public T? Find<T>()
        where T : class, IFrameOutput =>
        outputs.Select(output => output.Output).OfType<T>().FirstOrDefault();

    public void Starting(RunStart start) => outputs.ForEach(output => output.Starting(start));

    public void PipelineStopped() => outputs.ForEach(output => output.PipelineStopped());

    public void Finish(TextWriter summary) => outputs.ForEach(output => output.Finish(summary));

    public void Dispose() => Dispose(outputs);

    private static void Dispose(List<RunOutput> outputs)
    {
        for (var i = outputs.Count - 1; i >= 0; i--)
        {
            outputs[i].Dispose();
        }
    }
}
