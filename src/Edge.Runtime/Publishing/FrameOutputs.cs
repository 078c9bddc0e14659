using Edge.Runtime.Events;
using Edge.Runtime.Options;
using Edge.Runtime.Pipeline;

namespace Edge.Runtime.Publishing;

/// <summary>The outputs registered with a pipeline, each told in registration order. Does not own them.</summary>
public sealed class FrameOutputs : IFrameOutput
{
    private readonly IFrameOutput[] outputs;

    public FrameOutputs(IEnumerable<IFrameOutput> outputs) => this.outputs = [.. outputs];

    public int Count => outputs.Length;

    public void OnFrame(in FrameReport report)
    {
        foreach (var output in outputs)
        {
            output.OnFrame(report);
        }
    }

    public void OnEvent(in PipelineEvent pipelineEvent)
    {
        foreach (var output in outputs)
        {
            output.OnEvent(pipelineEvent);
        }
    }

    public void OnStreamAdded(StreamOptions stream)
    {
        foreach (var output in outputs)
        {
            output.OnStreamAdded(stream);
        }
    }

    public void OnStreamRemoved(string stream)
    {
        foreach (var output in outputs)
        {
            output.OnStreamRemoved(stream);
        }
    }
}
