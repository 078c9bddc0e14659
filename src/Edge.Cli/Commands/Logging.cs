using Microsoft.Extensions.Logging;

namespace Edge.Cli.Commands;

/// <summary>Logs go to stderr, one line each, so stdout carries only label-set JSON lines.</summary>
internal static class Logging
{
    public static ILoggerFactory CreateFactory(bool verbose) => LoggerFactory.Create(builder => builder
        .SetMinimumLevel(verbose ? LogLevel.Debug : LogLevel.Information)
        .AddConsole(options => options.LogToStandardErrorThreshold = LogLevel.Trace)
        .AddSimpleConsole(options =>
        {
            options.SingleLine = true;
            options.TimestampFormat = "HH:mm:ss.fff ";
            options.UseUtcTimestamp = true;
        }));
}
