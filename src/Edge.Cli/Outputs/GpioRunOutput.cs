using Edge.Outputs.Gpio;
using Edge.Runtime.Publishing;

namespace Edge.Cli.Outputs;

/// <summary><c>gpio</c> settings: label and alert lines, a heartbeat, and an optional trigger input that gates frames.</summary>
internal sealed class GpioRunOutput(GpioOutputs gpio) : RunOutput
{
    private static readonly TimeSpan TickInterval = TimeSpan.FromMilliseconds(50);

    public override IFrameOutput Output => gpio;

    public override Func<bool>? Gate => gpio.HasTrigger ? () => gpio.IsTriggered : null;

    public static RunOutput? Create(RunContext context)
    {
        if (context.Settings.Gpio is not { } settings)
        {
            return null;
        }

        var gpio = GpioOutputs.Open(settings, context.LabelNames, context.Time, new GpioScope([.. context.Settings.EffectiveStreams().Select(stream => stream.Id)], context.HeadNames));
        gpio.StartTicking(TickInterval);
        return new GpioRunOutput(gpio);
    }
}
