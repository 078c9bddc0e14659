namespace Edge.Cli.Configuration;

/// <summary>A stream whose label-set lines go to their own target instead of the run's <c>output</c>.</summary>
/// <param name="Key">The setting that named the target (<c>streams[1].output</c>), for messages.</param>
public sealed record StreamOutput(string Key, string Stream, string Target);
