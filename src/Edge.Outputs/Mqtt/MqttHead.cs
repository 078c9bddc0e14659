namespace Edge.Outputs.Mqtt;

/// <summary>An inference head as MQTT publishes it: its name (the frame reports' <c>Model</c>) and its labels, in output order.</summary>
public sealed record MqttHead(string Name, IReadOnlyList<string> Labels);
