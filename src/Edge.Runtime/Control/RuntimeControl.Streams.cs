using Edge.Camera.Sources;
using Edge.Runtime.Options;
using Edge.Runtime.Pipeline;

namespace Edge.Runtime.Control;

/// <summary>Streams joining and leaving the running pipeline.</summary>
public sealed partial class RuntimeControl
{
    /// <summary>
    /// Adds a stream while the others keep running: validated like an entry of the config file's <c>streams</c> (its
    /// id not taken, at most <c>max_streams</c> streams), its lanes made to share the running sessions (no model is
    /// loaded), its camera made by <see cref="CameraFactory"/> and started, the outputs told
    /// (<see cref="Publishing.IFrameOutput.OnStreamAdded"/>), and the scheduler serving it from its next boundary on.
    /// </summary>
    /// <param name="persist">Also append it to the config file's <c>streams</c>.</param>
    public Task<StreamAdded> AddStreamAsync(StreamOptions stream, bool persist = false, CancellationToken cancellationToken = default) =>
        OneAtATime(() => AddStreamCore(stream, persist, cancellationToken), cancellationToken);

    /// <summary>
    /// Removes a stream while the others keep running: at the next boundary the scheduler takes no more of its frames,
    /// and once its frame in flight is done it stops serving it; then its camera is stopped and disposed (off the frame
    /// thread) and the outputs told (<see cref="Publishing.IFrameOutput.OnStreamRemoved"/>). The last stream stays.
    /// </summary>
    /// <param name="persist">Also remove it from the config file's <c>streams</c>.</param>
    public Task<StreamRemoved> RemoveStreamAsync(string stream, bool persist = false, CancellationToken cancellationToken = default) =>
        OneAtATime(() => RemoveStreamCore(stream, persist, cancellationToken), cancellationToken);

    private async Task<StreamAdded> AddStreamCore(StreamOptions options, bool persist, CancellationToken cancellationToken)
    {
        var factory = CameraFactory ?? throw new ControlException(ControlErrorKind.Conflict, "this run cannot add streams (it was given no way to make cameras): expected the streams it started with");
        try
        {
            StreamRules.ValidateAddedStream(options);
        }
        catch (SettingException setting)
        {
            throw ControlException.Invalid(options.Id, setting);
        }

        lock (gate)
        {
            if (streams.Any(stream => stream.Id == options.Id))
            {
                throw new ControlException(ControlErrorKind.Conflict, $"stream '{options.Id}' runs already: expected an id no running stream has");
            }

            var limit = pipeline.Settings.MaxStreams;
            if (streams.Count >= limit)
            {
                throw new ControlException(ControlErrorKind.Conflict, $"the run has {streams.Count} streams, its max_streams: expected one removed first, or a higher max_streams at start");
            }
        }

        AssembledStream assembled;
        try
        {
            ValidateBudget(options.BudgetMs ?? pipeline.Settings.BudgetMs, options.Heads ?? [.. pipeline.Heads.Select(head => head.Name)]);
            assembled = pipeline.AssembleStream(options);
        }
        catch (SettingException setting)
        {
            throw ControlException.Invalid(options.Id, setting);
        }

        IStreamCamera? camera = null;
        var told = false;
        try
        {
            try
            {
                camera = factory(assembled, scheduler.Signal);
            }
            catch (FrameSourceException source)
            {
                throw new ControlException(ControlErrorKind.Invalid, $"stream '{options.Id}': setting 'source' ({SourceSpec.MaskCredentials(options.Source)}) names no source this build can read: {OneLine(source)}", source);
            }

            var outputs = assembled.Lanes[0].Outputs;
            outputs.OnStreamAdded(options);
            told = true;
            try
            {
                camera.Start();
            }
            catch (FrameSourceException source)
            {
                throw new ControlException(ControlErrorKind.Unavailable, $"stream '{options.Id}': its source {camera.Source} cannot be opened: {OneLine(source)}", source);
            }

            if (persist)
            {
                RequireWriteBack().AddStream(options);
            }

            var slot = camera.Slot;
            var result = await ApplyAsync(
                new BoundaryTask<StreamAdded>(frames =>
                {
                    frames.Attach(new ScheduledStream(slot, assembled.Lanes));
                    return new StreamAdded(options.Id, camera.Source, [.. assembled.Lanes.Select(lane => lane.Heads[0].Name)]);
                }),
                persist ? CancellationToken.None : cancellationToken).ConfigureAwait(false);
            pipeline.Attach(assembled);
            lock (gate)
            {
                streams.Add(new ControlledStream(assembled, camera, pipeline.Settings));
            }

            return result;
        }
        catch
        {
            Discard(options.Id, assembled, camera, told);
            throw;
        }
    }

    private async Task<StreamRemoved> RemoveStreamCore(string id, bool persist, CancellationToken cancellationToken)
    {
        var stream = Find(id);
        lock (gate)
        {
            if (streams.Count == 1)
            {
                throw new ControlException(ControlErrorKind.Conflict, $"stream '{id}' is the run's only stream: expected at least one stream to stay (stop the run instead)");
            }
        }

        if (persist)
        {
            RequireWriteBack().RemoveStream(id);
        }

        var slot = stream.Camera.Slot;
        var result = await ApplyAsync(
            new BoundaryTask<StreamRemoved>(frames =>
            {
                var last = frames.LastTaken(slot);
                return frames.TryDetach(slot) ? new StreamRemoved(id, last) : null;
            }),
            persist ? CancellationToken.None : cancellationToken).ConfigureAwait(false);
        lock (gate)
        {
            streams.Remove(stream);
        }

        pipeline.Detach(stream.Assembled);
        Discard(id, stream.Assembled, stream.Camera, told: true);
        return result;
    }

    /// <summary>Off the frame thread: stops and disposes a stream's camera, tells the outputs it is gone, disposes its lanes.</summary>
    private static void Discard(string id, AssembledStream assembled, IStreamCamera? camera, bool told)
    {
        camera?.Stop();
        if (told)
        {
            assembled.Lanes[0].Outputs.OnStreamRemoved(id);
        }

        camera?.Dispose();
        foreach (var lane in assembled.Lanes)
        {
            lane.HardFrames?.Dispose();
            lane.Dispose();
        }
    }

    private static string OneLine(Exception exception) => exception.Message.ReplaceLineEndings(" ");
}
