using System.Device.Gpio;
using System.Device.Gpio.Drivers;
using Edge.Runtime.Pipeline;
using Edge.Runtime.Publishing;

namespace Edge.Outputs.Gpio;

/// <summary>
/// Drives GPIO lines from the pipeline's frames: one line per label rule, a heartbeat, a deadline alert; and reads an
/// optional trigger input. <see cref="OnFrame"/> evaluates on the frame thread without allocating (a line write is
/// one syscall); <see cref="Tick"/> (or <see cref="StartTicking"/>) evaluates between frames, so deferred turn-offs
/// and the heartbeat's stop still happen when frames stop.
/// </summary>
public sealed class GpioOutputs : IFrameOutput, IDisposable
{
    private readonly TimeProvider time;
    private readonly Lock gate = new();
    private readonly List<GpioController> controllers = [];
    private readonly LabelOutput[] labelOutputs;
    private readonly HeartbeatOutput? heartbeat;
    private readonly DeadlineAlertOutput? deadlineAlert;
    private readonly (GpioController Controller, int Offset, PinValue Asserted)? trigger;
    private long? lastFrameAt;
    private ITimer? ticker;
    private bool disposed;

    /// <param name="labelNames">The model's labels, in output order: rules name one of them.</param>
    /// <param name="chips">The GPIO chips and a driver factory (<see cref="LibGpiod.Open"/> on a device, a fake in tests).</param>
    /// <param name="detectedDevKit">The developer kit <c>header_pin</c> refers to when the settings name none.</param>
    /// <param name="scope">The configured streams and heads rules may name; the one default stream, any head, when null.</param>
    public GpioOutputs(GpioSettings settings, IReadOnlyList<string> labelNames, GpioChipSet chips, TimeProvider time, JetsonDevKit? detectedDevKit = null, GpioScope? scope = null)
    {
        this.time = time;
        var devKit = settings.DevKit is null ? detectedDevKit
            : JetsonHeaderPins.Parse(settings.DevKit) ?? throw new GpioConfigurationException($"gpio dev_kit '{settings.DevKit}' is unknown: expected agx-orin or orin-nano");
        var plan = GpioPlan.Create(settings, labelNames, scope ?? new GpioScope([StreamId.Default]), new GpioLineResolver(chips.Chips, devKit));
        try
        {
            var controllersByChip = new Dictionary<int, GpioController>();
            labelOutputs = [.. plan.Rules.Select(r => new LabelOutput(OpenOutput(r.Line, r.Rule.ActiveLow), r.LabelIndex, r.Stream, r.Model, Ticks(r.Rule.MinOnMs), Ticks(r.Rule.HoldOffMs)))];
            if (plan.Heartbeat is { } heartbeatLine)
            {
                heartbeat = new HeartbeatOutput(OpenOutput(heartbeatLine, activeLow: false), Ticks(500 / settings.HeartbeatHz), time.TimestampFrequency);
            }

            if (plan.DeadlineAlert is { } alertLine)
            {
                deadlineAlert = new DeadlineAlertOutput(OpenOutput(alertLine, activeLow: false), Ticks(settings.AlertHoldMs));
            }

            if (plan.Trigger is { } triggerLine)
            {
                var controller = Controller(triggerLine);
                Guard(triggerLine, () => controller.OpenPin(triggerLine.Offset, PinMode.Input));
                trigger = (controller, triggerLine.Offset, settings.TriggerActiveLow ? PinValue.Low : PinValue.High);
            }

            OutputLine OpenOutput(ResolvedLine line, bool activeLow)
            {
                var controller = Controller(line);
                return Guard(line, () => OutputLine.Open(controller, line.Offset, activeLow));
            }

            GpioController Controller(ResolvedLine line)
            {
                if (!controllersByChip.TryGetValue(line.ChipId, out var controller))
                {
                    var driver = Guard(line, () => chips.OpenChip(line.ChipId), opening: "gpio chip");
                    controller = new GpioController(driver);
                    controllers.Add(controller);
                    controllersByChip.Add(line.ChipId, controller);
                }

                return controller;
            }
        }
        catch
        {
            DisposeControllers();
            throw;
        }
    }

    public bool HasTrigger => trigger is not null;

    /// <summary>Whether the trigger input is asserted (read now); true when no trigger is configured.</summary>
    public bool IsTriggered => trigger is not { } t || t.Controller.Read(t.Offset) == t.Asserted;

    /// <summary>Opens the configured lines through the installed libgpiod, on the developer kit the device tree names.</summary>
    public static GpioOutputs Open(GpioSettings settings, IReadOnlyList<string> labelNames, TimeProvider time, GpioScope? scope = null) =>
        new(settings, labelNames, LibGpiod.Open(), time, DetectDevKit(), scope);

    public void OnFrame(in FrameReport report)
    {
        var now = time.GetTimestamp();
        lock (gate)
        {
            if (disposed)
            {
                return;
            }

            lastFrameAt = now;
            if (report.Labels is { } labels)
            {
                foreach (var output in labelOutputs)
                {
                    if (output.Follows(report.Stream, report.Model))
                    {
                        output.Wanted = output.LabelIndex < labels.LabelCount && labels.IsActive(output.LabelIndex);
                    }
                }
            }

            if (report.Outcome is FrameOutcome.PublishedLate or FrameOutcome.Withheld or FrameOutcome.Cancelled)
            {
                deadlineAlert?.Raise(now);
            }

            Evaluate(now);
        }
    }

    /// <summary>Applies what time alone changes: deferred turn-offs, hold-offs ending, heartbeat toggles, alerts ending.</summary>
    public void Tick()
    {
        var now = time.GetTimestamp();
        lock (gate)
        {
            if (!disposed)
            {
                Evaluate(now);
            }
        }
    }

    /// <summary>Calls <see cref="Tick"/> every <paramref name="interval"/> on the time provider's timer until disposed.</summary>
    public void StartTicking(TimeSpan interval)
    {
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            ticker?.Dispose();
            ticker = time.CreateTimer(static state => ((GpioOutputs)state!).Tick(), this, interval, interval);
        }
    }

    /// <summary>Drives every output inactive and releases the lines.</summary>
    public void Dispose()
    {
        lock (gate)
        {
            if (disposed)
            {
                return;
            }

            disposed = true;
            ticker?.Dispose();
            foreach (var output in labelOutputs)
            {
                output.Line.Set(false);
            }

            heartbeat?.Line.Set(false);
            deadlineAlert?.Line.Set(false);
            DisposeControllers();
        }
    }

    internal static JetsonDevKit? DetectDevKit()
    {
        const string compatiblePath = "/proc/device-tree/compatible";
        return File.Exists(compatiblePath) ? JetsonHeaderPins.Detect(File.ReadAllText(compatiblePath).Split('\0')) : null;
    }

    private void Evaluate(long now)
    {
        foreach (var output in labelOutputs)
        {
            output.Update(now);
        }

        heartbeat?.Update(now, lastFrameAt);
        deadlineAlert?.Update(now);
    }

    private long Ticks(double milliseconds) => (long)(milliseconds * time.TimestampFrequency / 1000.0);

    private void DisposeControllers()
    {
        foreach (var controller in controllers)
        {
            controller.Dispose();
        }

        controllers.Clear();
    }

    /// <summary>Rephrases what libgpiod throws for a busy line or an inaccessible chip as a configuration error.</summary>
    private static T Guard<T>(ResolvedLine line, Func<T> open, string opening = "line")
    {
        try
        {
            return open();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or GpiodException)
        {
            var what = opening == "line" ? $"line {line}" : $"gpio chip '{line.ChipLabel}'";
            var expected = opening == "line"
                ? "expected a free line (another process holds it? see gpioinfo)"
                : "expected read-write access to /dev/gpiochip* (gpio group, see docs/gpio.md)";
            throw new GpioConfigurationException($"gpio {line.Role}: cannot open {what} ({e.Message.ReplaceLineEndings(" ")}): {expected}", e);
        }
    }
}
