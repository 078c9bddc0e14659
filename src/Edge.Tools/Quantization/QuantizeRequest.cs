using Edge.Quantize;
using Edge.Quantize.Calibration;
using Edge.Quantize.Graph;

namespace Edge.Tools.Quantization;

/// <summary>Everything <c>edge quantize</c> was asked to do (validated by the command).</summary>
public sealed record QuantizeRequest
{
    public required string Model { get; init; }

    public required string Calibration { get; init; }

    public required string Output { get; init; }

    public string? CalibrationFormat { get; init; }

    public int CalibrationCount { get; init; } = 500;

    public QuantizationTarget Target { get; init; } = QuantizationTarget.Cpu;

    public CalibrationMethod Method { get; init; } = CalibrationMethod.MinMax;

    public double Percentile { get; init; } = 99.999;

    public Exclusions Exclusions { get; init; } = Exclusions.None;

    public bool AllowFloatFallback { get; init; }

    /// <summary>A labelled dataset to measure FP32 vs INT8 accuracy on (and to re-tune thresholds on).</summary>
    public string? Validation { get; init; }

    public string? ValidationFormat { get; init; }

    /// <summary>Automatic mode: return the most sensitive layers to float until the mAP drop is at most this.</summary>
    public double? MaxMapDrop { get; init; }

    public bool RetuneThresholds { get; init; }

    /// <summary>Replace an existing output folder.</summary>
    public bool Force { get; init; }

    public int Threads { get; init; }

    /// <summary>Calibration and validation images whose header states more megapixels are refused before decoding.</summary>
    public int MaxMegapixels { get; init; } = Edge.Camera.Sources.OpenCv.ImageFile.DefaultMaxMegapixels;

    /// <summary>Frames per model for the FP32 vs INT8 latency comparison (0: skip it).</summary>
    public int LatencyFrames { get; init; } = 200;

    /// <summary>Images the per-tensor SQNR is measured on.</summary>
    public int SqnrImages { get; init; } = 16;
}
