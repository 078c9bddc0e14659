namespace Edge.Quantize;

/// <summary>Bad input to quantization (a model, a calibration set, an option): the message names it and what was expected.</summary>
public sealed class QuantizeException(string message, Exception? inner = null) : Exception(message, inner);
