using System.Device.I2c;
using Edge.Runtime.Options;
using Edge.Runtime.Pipeline;
using Edge.Runtime.Publishing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Outputs.Display;

/// <summary>
/// Shows the pipeline's status on an SSD1306 OLED: active labels, fps, p99 latency, deadline misses and degrade
/// level. <see cref="OnFrame"/> only updates counters (no allocation, no I2C on the frame thread); a thread of its
/// own redraws at most <see cref="DisplaySettings.RefreshHz"/> times a second and sends the frame over I2C. With
/// several streams it shows a line per stream (id, fps, p99, abbreviated labels), in pages that change every
/// <see cref="PageSeconds"/> when they do not fit (docs/display.md).
/// </summary>
public sealed partial class StatusDisplay : IFrameOutput, IDisposable
{
    private readonly Ssd1306Panel panel;
    private readonly StatusScreen screen;
    /// <summary>How long each page of streams stays up when they do not all fit.</summary>
    public const double PageSeconds = 3;

    private readonly string[] streams;
    private readonly string? model;
    private readonly StatusCounters[] counters;
    private readonly StatusSnapshot[] snapshots;
    private readonly long[] publishedAtLastRedraw;
    private readonly double[] framesPerSecond;
    private readonly int redrawsPerPage;
    private long redraws;
    private readonly byte[] frame;
    private readonly TimeProvider time;
    private readonly ILogger logger;
    private readonly string where;
    private readonly AutoResetEvent tick = new(false);
    private readonly ITimer timer;
    private readonly Thread renderer;
    private volatile bool stopping;
    private long lastRedrawAt;
    private long framesSent;
    private long sendFailures;
    private bool failing;

    /// <param name="device">The I2C device of the panel; the display owns and disposes it.</param>
    /// <param name="settings">Height and refresh rate (bus and address are the device's).</param>
    /// <param name="labelNames">Names by label index, as the decoder numbers them.</param>
    /// <param name="streams">The configured stream ids; one line each when there are several. The one default stream when null.</param>
    /// <param name="model">The head whose label sets are shown (the configured model); every report's when null.</param>
    /// <exception cref="SettingException">A setting is invalid (the device is then disposed).</exception>
    /// <exception cref="DisplayConfigurationException">No display answers on the device (which is then disposed).</exception>
    public StatusDisplay(I2cDevice device, DisplaySettings settings, IReadOnlyList<string> labelNames, TimeProvider? time = null, ILogger? logger = null, IReadOnlyList<string>? streams = null, string? model = null)
    {
        this.streams = streams is null ? [StreamId.Default] : [.. streams];
        this.model = model;
        try
        {
            settings.Validate();
            screen = new StatusScreen(labelNames, settings.Height, streams is { Count: 1 } ? streams[0] : null);
            panel = new Ssd1306Panel(device, settings.Height);
        }
        catch (IOException e)
        {
            var message = $"no SSD1306 answered at {Where(device)} ({e.Message}): check wiring, power and the address with i2cdetect -y -r {device.ConnectionSettings.BusId}";
            device.Dispose();
            throw new DisplayConfigurationException(message, e);
        }
        catch
        {
            device.Dispose();
            throw;
        }

        this.time = time ?? TimeProvider.System;
        this.logger = logger ?? NullLogger.Instance;
        where = Where(device);
        counters = [.. this.streams.Select(_ => new StatusCounters(labelNames.Count))];
        snapshots = [.. this.streams.Select(_ => new StatusSnapshot(labelNames.Count))];
        publishedAtLastRedraw = new long[this.streams.Length];
        framesPerSecond = new double[this.streams.Length];
        redrawsPerPage = Math.Max(1, (int)Math.Round(PageSeconds * settings.RefreshHz));
        frame = new byte[screen.Buffer.Length];
        lastRedrawAt = this.time.GetTimestamp();
        renderer = new Thread(RenderLoop) { IsBackground = true, Name = "edge-display" };
        renderer.Start();
        var period = TimeSpan.FromSeconds(1 / settings.RefreshHz);
        timer = this.time.CreateTimer(static state => ((AutoResetEvent)state!).Set(), tick, period, period);
    }

    /// <summary>Frames sent to the panel so far (not counting the blank one sent when it was set up).</summary>
    public long FramesSent => Interlocked.Read(ref framesSent);

    /// <summary>Redraws whose I2C transfer failed (a loose wire, a panel that lost power); the next redraw tries again.</summary>
    public long SendFailures => Interlocked.Read(ref sendFailures);

    /// <summary>Opens <c>/dev/i2c-{Bus}</c> and the panel at <see cref="DisplaySettings.Address"/>.</summary>
    /// <exception cref="DisplayConfigurationException">A setting is invalid, the bus cannot be opened or no display answers.</exception>
    public static StatusDisplay Open(DisplaySettings settings, IReadOnlyList<string> labelNames, ILogger? logger = null, IReadOnlyList<string>? streams = null, string? model = null)
    {
        settings.Validate();
        I2cDevice device;
        try
        {
            device = I2cDevice.Create(new I2cConnectionSettings(settings.Bus, settings.Address));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or PlatformNotSupportedException)
        {
            throw new DisplayConfigurationException(
                $"I2C bus {settings.Bus} cannot be opened ({e.Message}): list the buses with i2cdetect -l, and run as a member of the i2c group", e);
        }

        return new StatusDisplay(device, settings, labelNames, TimeProvider.System, logger, streams, model);
    }

    /// <summary>Counts the report into its stream's counters; reports of other streams or heads are not shown.</summary>
    public void OnFrame(in FrameReport report)
    {
        if (model is not null && !string.Equals(report.Model, model, StringComparison.Ordinal))
        {
            return;
        }

        for (var i = 0; i < streams.Length; i++)
        {
            if (string.Equals(streams[i], report.Stream, StringComparison.Ordinal))
            {
                counters[i].Record(report);
                return;
            }
        }
    }

    /// <summary>Stops redrawing and switches the panel off, so a frozen screen cannot pass for a healthy pipeline.</summary>
    public void Dispose()
    {
        if (stopping)
        {
            return;
        }

        stopping = true;
        timer.Dispose();
        tick.Set();
        renderer.Join();
        try
        {
            panel.EnableDisplay(false);
        }
        catch (IOException e)
        {
            LogSwitchOffFailed(logger, where, e.Message);
        }

        panel.Dispose();
        tick.Dispose();
    }

    private static string Where(I2cDevice device) =>
        $"{DisplaySettings.Hex(device.ConnectionSettings.DeviceAddress)} on I2C bus {device.ConnectionSettings.BusId}";

    private void RenderLoop()
    {
        while (true)
        {
            tick.WaitOne();
            if (stopping)
            {
                return;
            }

            Redraw();
        }
    }

    private void Redraw()
    {
        var now = time.GetTimestamp();
        var seconds = time.GetElapsedTime(lastRedrawAt, now).TotalSeconds;
        lastRedrawAt = now;
        long misses = 0;
        var level = 0;
        for (var i = 0; i < streams.Length; i++)
        {
            var snapshot = snapshots[i];
            counters[i].CopyTo(snapshot);
            framesPerSecond[i] = seconds > 0 ? (snapshot.Published - publishedAtLastRedraw[i]) / seconds : 0;
            publishedAtLastRedraw[i] = snapshot.Published;
            misses += snapshot.DeadlineMisses;
            level = Math.Max(level, snapshot.Level);
        }

        if (streams.Length == 1)
        {
            screen.Render(new StatusReadings(framesPerSecond[0], snapshots[0].P99LatencyMs(), misses, level), snapshots[0].Active);
        }
        else
        {
            var pages = (streams.Length + screen.StreamLines - 1) / screen.StreamLines;
            var page = (int)(redraws++ / redrawsPerPage % pages);
            screen.RenderStreams(streams, framesPerSecond, snapshots, page * screen.StreamLines, misses, level);
        }

        screen.Buffer.CopyTo(frame);
        try
        {
            panel.Show(frame);
            Interlocked.Increment(ref framesSent);
            if (failing)
            {
                failing = false;
                LogRecovered(logger, where);
            }
        }
        catch (IOException e)
        {
            Interlocked.Increment(ref sendFailures);
            if (!failing)
            {
                failing = true;
                LogSendFailed(logger, where, e.Message);
            }
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "status display at {Where} stopped answering ({Reason}); redraws go on trying")]
    private static partial void LogSendFailed(ILogger logger, string where, string reason);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "status display at {Where} answers again")]
    private static partial void LogRecovered(ILogger logger, string where);

    [LoggerMessage(EventId = 3, Level = LogLevel.Debug, Message = "status display at {Where} could not be switched off ({Reason})")]
    private static partial void LogSwitchOffFailed(ILogger logger, string where, string reason);
}
