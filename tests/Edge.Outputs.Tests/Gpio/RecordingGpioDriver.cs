using System.Device.Gpio;

namespace Edge.Outputs.Tests.Gpio;

/// <summary>A write to a line, with the (fake) time since the driver was created.</summary>
internal readonly record struct GpioWrite(int Line, PinValue Value, TimeSpan At);

/// <summary>
/// An in-memory gpio chip: records every write with its time, serves input values set by the test, and refuses lines
/// marked busy the way libgpiod does (an IOException from OpenPin).
/// </summary>
internal sealed class RecordingGpioDriver(int lineCount, TimeProvider time) : GpioDriver
{
    private readonly long createdAt = time.GetTimestamp();
    private readonly Dictionary<int, PinMode> modes = [];
    private readonly Dictionary<int, PinValue> values = [];

    /// <summary>Preallocated so recording does not allocate in allocation tests.</summary>
    public List<GpioWrite> Writes { get; } = new(capacity: 4096);

    public HashSet<int> BusyLines { get; } = [];

    public HashSet<int> OpenLines { get; } = [];

    public Dictionary<int, PinValue> Inputs { get; } = [];

    public bool Disposed { get; private set; }

    protected override int PinCount => lineCount;

    public PinValue ValueOf(int line) => values[line];

    public PinMode ModeOf(int line) => modes[line];

    public IEnumerable<GpioWrite> WritesTo(int line) => Writes.Where(w => w.Line == line);

    protected override void OpenPin(int pinNumber)
    {
        if (BusyLines.Contains(pinNumber))
        {
            throw new IOException($"Pin {pinNumber} not available. Error: 16 (Device or resource busy)");
        }

        OpenLines.Add(pinNumber);
    }

    protected override void ClosePin(int pinNumber) => OpenLines.Remove(pinNumber);

    protected override void SetPinMode(int pinNumber, PinMode mode) => modes[pinNumber] = mode;

    protected override void SetPinMode(int pinNumber, PinMode mode, PinValue initialValue)
    {
        modes[pinNumber] = mode;
        values[pinNumber] = initialValue;
    }

    protected override PinMode GetPinMode(int pinNumber) => modes[pinNumber];

    protected override bool IsPinModeSupported(int pinNumber, PinMode mode) => true;

    protected override PinValue Read(int pinNumber) => Inputs.TryGetValue(pinNumber, out var value) ? value : PinValue.Low;

    protected override void Write(int pinNumber, PinValue value)
    {
        Writes.Add(new GpioWrite(pinNumber, value, time.GetElapsedTime(createdAt)));
        values[pinNumber] = value;
    }

    protected override WaitForEventResult WaitForEvent(int pinNumber, PinEventTypes eventTypes, CancellationToken cancellationToken) =>
        new() { TimedOut = true, EventTypes = PinEventTypes.None };

    protected override void AddCallbackForPinValueChangedEvent(int pinNumber, PinEventTypes eventTypes, PinChangeEventHandler callback) =>
        throw new NotSupportedException("GpioOutputs does not use pin events");

    protected override void RemoveCallbackForPinValueChangedEvent(int pinNumber, PinChangeEventHandler callback) =>
        throw new NotSupportedException("GpioOutputs does not use pin events");

    protected override void Dispose(bool disposing)
    {
        Disposed = true;
        base.Dispose(disposing);
    }
}
