using System.Device.Gpio;

namespace Edge.Outputs.Gpio;

/// <summary>An open output line that remembers its state, so only changes reach the hardware.</summary>
internal sealed class OutputLine
{
    private readonly GpioController controller;
    private readonly int offset;
    private readonly PinValue activeValue;
    private readonly PinValue inactiveValue;

    // GpioController.Write(int, PinValue) allocates (it records the value in a ConcurrentDictionary node); the span
    // overload writes the same line through the driver without allocating.
    private readonly PinValuePair[] write = new PinValuePair[1];

    private OutputLine(GpioController controller, int offset, bool activeLow)
    {
        this.controller = controller;
        this.offset = offset;
        activeValue = activeLow ? PinValue.Low : PinValue.High;
        inactiveValue = activeLow ? PinValue.High : PinValue.Low;
    }

    public bool IsActive { get; private set; }

    /// <summary>Opens the line as an output that starts inactive, with no glitch to the active level.</summary>
    public static OutputLine Open(GpioController controller, int offset, bool activeLow)
    {
        var line = new OutputLine(controller, offset, activeLow);
        controller.OpenPin(offset, PinMode.Output, line.inactiveValue);
        return line;
    }

    public void Set(bool active)
    {
        if (active == IsActive)
        {
            return;
        }

        write[0] = new PinValuePair(offset, active ? activeValue : inactiveValue);
        controller.Write(write);
        IsActive = active;
    }
}
