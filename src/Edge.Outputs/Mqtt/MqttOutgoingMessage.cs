namespace Edge.Outputs.Mqtt;

/// <summary>One message ready for the broker: what the converter produces and the broker client sends.</summary>
internal readonly record struct MqttOutgoingMessage(string Topic, byte[] Payload, bool Retain);
