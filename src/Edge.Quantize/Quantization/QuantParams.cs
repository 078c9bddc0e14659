namespace Edge.Quantize.Quantization;

/// <summary>Affine quantization parameters: real = (q - <see cref="ZeroPoint"/>) × <see cref="Scale"/>.</summary>
public readonly record struct QuantParams(float Scale, int ZeroPoint);
