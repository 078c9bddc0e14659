using System.Diagnostics;
using Edge.Runtime.Bundles;
using Edge.Runtime.Decoding;
using Edge.Runtime.Inference;
using Edge.Runtime.Preprocessing;

namespace Edge.Runtime.Pipeline;

/// <summary>
/// Replaces the model of one inference head while frames keep flowing. Off the frame thread the new bundle is loaded
/// (hash verified), checked against the running model (same labels in the same order, same output kind, a batch at
/// least as large, activation maps when they are bound), given a session made like the running one and warmed up on
/// every batch size; the scheduler then switches at its next batch boundary, and the old session is disposed. Every
/// lane of the head and every degrade ladder step that runs the head's session switches; ladder steps with a model of
/// their own keep it. Each lane keeps its decoder, so smoothing, thresholds and which labels are on carry over.
/// If anything fails before the switch, the running model is untouched and the result says why. Once switched, each
/// stream the head labels tells its outputs with a <c>model_swapped</c> event (<see cref="Events.PipelineEventKind.ModelSwapped"/>),
/// and the <paramref name="owner"/> pipeline reports the new model for the head (<see cref="AssembledPipeline.Heads"/>).
/// </summary>
/// <remarks>One swap at a time: a request while another is in flight is refused (a queue would hide that the first
/// has not finished, and the second would replace a model its caller has not seen).</remarks>
/// <param name="time">Stamps the <c>model_swapped</c> events; the system clock when null.</param>
public sealed class ModelSwap(BatchScheduler scheduler, AssembledPipeline? owner = null, TimeProvider? time = null)
{
    /// <summary>Each batch size is run once to pay its one-off costs, then this many times to seed its latency model.</summary>
    public const int WarmUpRounds = 2;

    private readonly Lock gate = new();
    private string? inFlight;

    /// <summary>
    /// Swaps <paramref name="head"/>'s model for the bundle in <paramref name="bundleFolder"/>; callable from any thread.
    /// Completes once the frame thread has switched (or the swap failed). Cancelling before the switch leaves the running
    /// model in place; a switch already made stands.
    /// </summary>
    public async Task<SwapResult> SwapAsync(string head, string bundleFolder, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            if (inFlight is { } running)
            {
                return Refused(head, $"a swap of head '{running}' is in progress: expected one swap at a time, try again once it has finished", default, null);
            }

            inFlight = head;
        }

        try
        {
            return await Task.Run(() => SwapCore(head, bundleFolder, cancellationToken), CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            lock (gate)
            {
                inFlight = null;
            }
        }
    }

    private async Task<SwapResult> SwapCore(string head, string bundleFolder, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var timings = default(SwapTimings);
        double Since(long from) => Stopwatch.GetElapsedTime(from).TotalMilliseconds;
        SwapResult Fail(string failure, ModelBundle? bundle = null) =>
            Refused(head, failure, timings with { TotalMs = Since(started) }, bundle);

        var lanes = scheduler.Pipelines.Where(pipeline => pipeline.Heads[0].Name == head).ToList();
        if (lanes.Count == 0)
        {
            var known = scheduler.Pipelines.Select(pipeline => pipeline.Heads[0].Name).Distinct();
            return Fail($"no head is named '{head}': expected one of [{string.Join(", ", known)}]");
        }

        var old = lanes[0].Heads[0].Session;
        var previousModel = lanes[0].Heads[0].Writer.ModelName;
        if (lanes.Any(lane => !ReferenceEquals(lane.Heads[0].Session, old))
            || scheduler.Pipelines.Except(lanes).Any(lane => lane.Sessions.Contains(old)))
        {
            return Fail($"head '{head}''s session is not its own (another head runs it too): expected one session per head, as a run assembles them");
        }

        var step = Stopwatch.GetTimestamp();
        ModelBundle bundle;
        try
        {
            bundle = ModelBundle.Load(bundleFolder);
        }
        catch (Exception exception) when (exception is ModelBundleException or IOException or UnauthorizedAccessException or Options.SettingException)
        {
            timings = timings with { LoadMs = Since(step) };
            return Fail($"the bundle could not be loaded: {OneLine(exception)}");
        }

        timings = timings with { LoadMs = Since(step) };
        if (Incompatibility(bundle, lanes[0].Heads[0].Decoder, old) is { } incompatible)
        {
            return Fail(incompatible, bundle);
        }

        if (cancellationToken.IsCancellationRequested)
        {
            return Fail("cancelled before the new session was created", bundle);
        }

        step = Stopwatch.GetTimestamp();
        ModelSession replacement;
        try
        {
            replacement = ModelSession.Create(bundle, old.Settings);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            timings = timings with { CreateMs = Since(step) };
            return Fail($"model '{bundle.Name}' could not be given a session: {OneLine(exception)}", bundle);
        }

        timings = timings with { CreateMs = Since(step) };
        var switched = false;
        try
        {
            step = Stopwatch.GetTimestamp();
            BatchLatencyModel latency;
            try
            {
                latency = WarmUp(replacement);
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                timings = timings with { WarmUpMs = Since(step) };
                return Fail($"model '{bundle.Name}' failed its warm-up run: {OneLine(exception)}", bundle);
            }

            timings = timings with { WarmUpMs = Since(step) };
            if (cancellationToken.IsCancellationRequested)
            {
                return Fail("cancelled before the switch", bundle);
            }

            var change = new SessionSwitch(old, replacement, bundle, latency, Replacements(lanes, old, replacement, bundle));
            if (!scheduler.Post(change))
            {
                return Fail("another swap is waiting for the frame thread: expected one swap at a time", bundle);
            }

            step = Stopwatch.GetTimestamp();
            IReadOnlyList<StreamSwitch> streams;
            try
            {
                streams = await change.Done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (scheduler.Withdraw(change))
            {
                timings = timings with { WaitMs = Since(step) };
                return Fail("cancelled while waiting for the frame thread's next batch (is the scheduler running?)", bundle);
            }
            catch (OperationCanceledException)
            {
                streams = await change.Done.Task.ConfigureAwait(false); // applied just as the wait was cancelled
            }
            catch (InvalidOperationException exception)
            {
                timings = timings with { WaitMs = Since(step) };
                return Fail($"the frame thread refused the switch: {OneLine(exception)}", bundle);
            }

            switched = true;
            timings = timings with { WaitMs = Since(step) };
            owner?.Replace(old, replacement, bundle);
            old.Dispose();
            var result = new SwapResult(head, null, bundle.Name, bundle.Sha256, timings with { TotalMs = Since(started) }, streams);
            Announce(result, bundle, previousModel, lanes);
            return result;
        }
        finally
        {
            if (!switched)
            {
                replacement.Dispose();
            }
        }
    }

    /// <summary>Tells each switched stream's outputs (through one of its lanes of the head) that the head's model changed.</summary>
    private void Announce(SwapResult result, ModelBundle bundle, string previousModel, List<FramePipeline> lanes)
    {
        var at = (time ?? TimeProvider.System).GetUtcNow();
        foreach (var switched in result.Streams)
        {
            lanes.First(lane => lane.Stream == switched.Stream).Outputs.OnEvent(new Events.PipelineEvent
            {
                Kind = Events.PipelineEventKind.ModelSwapped,
                Stream = switched.Stream,
                Frame = switched.LastFrameOnOldModel,
                At = at,
                Head = result.Head,
                Model = bundle.Name,
                Sha256 = bundle.Sha256,
                Precision = bundle.Precision,
                PreviousModel = previousModel,
                Swap = result.Timings,
            });
        }
    }

    /// <summary>Why <paramref name="bundle"/> cannot take over from the running model, or null when it can.</summary>
    private static string? Incompatibility(ModelBundle bundle, MultiLabelDecoder decoder, ModelSession running)
    {
        // Decoders, outputs, GPIO lines and MQTT discovery are all built for the running labels: they must not change.
        var expected = Enumerable.Range(0, decoder.LabelCount).Select(decoder.NameOf).ToList();
        var actual = bundle.Labels.Select(label => label.Name).ToList();
        if (!expected.SequenceEqual(actual, StringComparer.Ordinal))
        {
            return $"model '{bundle.Name}' has labels [{string.Join(", ", actual)}] but the running model has [{string.Join(", ", expected)}]: expected the same labels in the same order";
        }

        if (bundle.OutputKind != decoder.OutputKind)
        {
            return $"model '{bundle.Name}' outputs {bundle.OutputKind} but the running model outputs {decoder.OutputKind}: expected the same output kind";
        }

        if (bundle.Batch.Max < running.MaxBatch)
        {
            return $"model '{bundle.Name}' takes batches of at most {bundle.Batch.Max} but the running session runs batches of {running.MaxBatch}: expected a batch.max of at least {running.MaxBatch}";
        }

        if (running.Settings.BindMaps && bundle.MapsName is null)
        {
            return $"model '{bundle.Name}' names no activation maps (manifest field 'output.maps') but the run locates labels: expected a model with maps";
        }

        return null;
    }

    /// <summary>Runs every batch size on blank input: once for its one-off costs, then <see cref="WarmUpRounds"/> times measured.</summary>
    private static BatchLatencyModel WarmUp(ModelSession session)
    {
        var latency = new BatchLatencyModel(session.MaxBatch);
        Array.Clear(session.Input);
        for (var size = 1; size <= session.MaxBatch; size++)
        {
            session.Run(size);
            for (var round = 0; round < WarmUpRounds; round++)
            {
                var started = Stopwatch.GetTimestamp();
                session.Run(size);
                latency.Record(size, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }

        return latency;
    }

    /// <summary>A new head for every head of the lanes that runs <paramref name="old"/>: same name, decoder and stream; the new model's input contract, session and name.</summary>
    private static List<HeadReplacement> Replacements(List<FramePipeline> lanes, ModelSession old, ModelSession replacement, ModelBundle bundle)
    {
        var heads = new List<HeadReplacement>();
        foreach (var lane in lanes)
        {
            for (var level = 0; level < lane.Heads.Count; level++)
            {
                var head = lane.Heads[level];
                if (!ReferenceEquals(head.Session, old))
                {
                    continue;
                }

                var next = new InferenceHead(head.Name, replacement, new ImagePreprocessor(bundle.Input), head.Decoder, head.Writer.WithModel(bundle, replacement.Report.Active))
                {
                    Locator = head.Locator is null || replacement.Maps is null ? null : new LabelLocator(bundle.Labels.Count, replacement.MapHeight, replacement.MapWidth),
                    Rescoring = bundle.Rescoring,
                };
                heads.Add(new HeadReplacement(lane, level, head, next));
            }
        }

        return heads;
    }

    private static SwapResult Refused(string head, string failure, SwapTimings timings, ModelBundle? bundle) =>
        new(head, failure, bundle?.Name, bundle?.Sha256, timings, []);

    private static string OneLine(Exception exception) => exception.Message.ReplaceLineEndings(" ");
}
