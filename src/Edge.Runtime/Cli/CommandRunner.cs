using Edge.Camera.Sources;
using Edge.Runtime.Bundles;

namespace Edge.Runtime.Cli;

/// <summary>
/// Runs a verb's handler and turns failures into one line on stderr plus an exit code; the stack trace only with
/// --verbose.
/// </summary>
internal static class CommandRunner
{
    public static int Run(bool verbose, Func<ExitCode> handler)
    {
        try
        {
            return (int)handler();
        }
        catch (Exception exception) when (Classify(exception) is { } exitCode)
        {
            Console.Error.WriteLine($"edge: error: {OneLine(exception.Message)}");
            if (verbose)
            {
                Console.Error.WriteLine(exception);
            }

            return (int)exitCode;
        }
    }

    private static ExitCode? Classify(Exception exception) => exception switch
    {
        UserError user => user.ExitCode,
        ModelBundleException => ExitCode.InvalidModel,
        FrameSourceException => ExitCode.SourceFailed,
        IncompleteSourceException => ExitCode.SourceIncomplete,
        Evaluation.Datasets.DatasetException => ExitCode.InvalidDataset,
        Quantize.QuantizeException => ExitCode.QuantizationRefused,
        Metrics.MetricsConfigurationException or Hardware.Gpio.GpioConfigurationException or Hardware.Display.DisplayConfigurationException or Publishing.Mqtt.MqttConfigurationException => ExitCode.InvalidArguments,
        FileNotFoundException or DirectoryNotFoundException => ExitCode.MissingData,
        InvalidDataException => ExitCode.MissingData,
        OperationCanceledException => ExitCode.Interrupted,
        _ => ExitCode.Failure,
    };

    private static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();
}
