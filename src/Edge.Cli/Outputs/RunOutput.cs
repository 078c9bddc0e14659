using Edge.Cli.Configuration;
using Edge.Runtime.Bundles;
using Edge.Runtime.Control;
using Edge.Runtime.Options;
using Edge.Runtime.Pipeline;
using Edge.Runtime.Publishing;
using Microsoft.Extensions.Logging;

namespace Edge.Cli.Outputs;

/// <summary>What every output of <c>edge run</c> may look at when it is made.</summary>
internal sealed record RunContext(ResolvedRunSettings Settings, ModelBundle Model, RunLines Lines, ILoggerFactory Loggers, TimeProvider Time)
{
    public IReadOnlyList<string> LabelNames { get; } = [.. Model.Labels.Select(label => label.Name)];

    /// <summary>The inference heads' names as frame reports carry them: the configured model's first, then <see cref="PipelineOptions.Heads"/>.</summary>
    public IReadOnlyList<string> HeadNames { get; } = [Model.Name, .. Settings.Heads.Select(head => head.Name)];
}

/// <summary>
/// The pipeline assembled and every stream's capture loop made (in stream order), just before frames flow; the
/// <paramref name="Control"/> changes the running pipeline (streams may join and leave: it knows which run now).
/// </summary>
internal sealed record RunStart(AssembledPipeline Assembled, IReadOnlyList<CameraPipeline> Cameras, RuntimeControl Control);

/// <summary>
/// One output of <c>edge run</c>: the <see cref="IFrameOutput"/> the pipeline tells (none for an output that only
/// acts on the run's moments, such as the HTTP server), and whichever moments of the run it needs to act on (each
/// does nothing unless overridden). Owns its output.
/// </summary>
internal abstract class RunOutput : IDisposable
{
    public abstract IFrameOutput? Output { get; }

    /// <summary>When not null, frames are processed only while it returns true (a GPIO trigger input).</summary>
    public virtual Func<bool>? Gate => null;

    /// <summary>An output that needs none of the run's moments (disposed with the run when it is disposable).</summary>
    public static RunOutput Of(IFrameOutput output) => new Plain(output);

    /// <summary>The model is loaded and the source open; frames flow next.</summary>
    public virtual void Starting(RunStart start)
    {
    }

    /// <summary>The pipeline took its last frame.</summary>
    public virtual void PipelineStopped()
    {
    }

    /// <summary>The run is over: flush, and say on stderr what became of this output's messages, if it has anything to say.</summary>
    public virtual void Finish(TextWriter summary)
    {
    }

    public virtual void Dispose() => (Output as IDisposable)?.Dispose();

    private sealed class Plain(IFrameOutput output) : RunOutput
    {
        public override IFrameOutput Output => output;
    }
}
