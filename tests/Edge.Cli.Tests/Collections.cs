namespace Edge.Cli.Tests;

/// <summary>Broker tests run one at a time: they start and kill processes and time a run.</summary>
[CollectionDefinition(nameof(MqttCollection), DisableParallelization = true)]
public sealed class MqttCollection;
