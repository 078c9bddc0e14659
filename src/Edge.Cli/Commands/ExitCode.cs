namespace Edge.Cli.Commands;

/// <summary>Process exit codes; scripts and systemd can tell the kinds of failure apart.</summary>
public enum ExitCode
{
    Success = 0,
    Failure = 1,
    InvalidArguments = 2,
    InvalidModel = 3,
    SourceFailed = 4,
    MissingData = 5,
    InvalidDataset = 6,
    QuantizationRefused = 7,
    TensorRtRulesBroken = 8,

    /// <summary>A video file ended before its own end (truncated or corrupt): <c>edge run</c> processed every frame it
    /// could read, then exits with this; <c>edge bench</c> refuses to measure on it.</summary>
    SourceIncomplete = 9,
    Interrupted = 130,

    /// <summary>stdout was closed by its reader (EPIPE, as in <c>edge run | head -3</c>); 128 + SIGPIPE, as the shell reports a tool SIGPIPE ended.</summary>
    OutputClosed = 141,
}
