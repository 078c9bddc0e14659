using Edge.Camera.Sources;
using Edge.Runtime.Bundles;
using Edge.Runtime.Options;

namespace Edge.Cli.Commands;

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
            Console.Error.WriteLine($"edge: error: {OneLine(Message(exception))}");
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
        SettingException => ExitCode.InvalidArguments,
        ModelBundleException => ExitCode.InvalidModel,
        FrameSourceException => ExitCode.SourceFailed,
        IncompleteSourceException => ExitCode.SourceIncomplete,
        Edge.Tools.Evaluation.Datasets.DatasetException => ExitCode.InvalidDataset,
        Quantize.QuantizeException => ExitCode.QuantizationRefused,
        Edge.Outputs.Metrics.MetricsConfigurationException or Edge.Server.Hosting.ServerConfigurationException or Edge.Outputs.Gpio.GpioConfigurationException or Edge.Outputs.Display.DisplayConfigurationException or Edge.Outputs.Mqtt.MqttConfigurationException => ExitCode.InvalidArguments,
        FileNotFoundException or DirectoryNotFoundException => ExitCode.MissingData,
        InvalidDataException => ExitCode.MissingData,
        OperationCanceledException => ExitCode.Interrupted,
        _ => ExitCode.Failure,
    };

    /// <summary>
    /// A value out of range is named by its settings key, which reads the same whether it came from the file, the
    /// environment or a flag; a capability the machine or model lacks ("is not available", "needs activation maps")
    /// is named by its flag, the way the user asked for it.
    /// </summary>
    private static string Message(Exception exception) =>
        exception is SettingException { Problem: not null } setting ? setting.MessageNaming(FlagOrSetting(setting.Key)) : exception.Message;

    /// <summary>A top-level key as its flag (<c>--budget-ms</c>); a key inside the config file's lists and objects as itself.</summary>
    private static string FlagOrSetting(string key) =>
        key.IndexOfAny(['[', '.']) >= 0 ? $"setting '{key}'" : "--" + key.Replace('_', '-');

    private static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();
}
