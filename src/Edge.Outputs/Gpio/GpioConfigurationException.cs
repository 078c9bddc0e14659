namespace Edge.Outputs.Gpio;

/// <summary>The GPIO configuration cannot be applied on this machine; the message is one line naming what and what was expected.</summary>
public sealed class GpioConfigurationException : Exception
{
    public GpioConfigurationException()
    {
    }

    public GpioConfigurationException(string message)
        : base(message)
    {
    }

    public GpioConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
