namespace Edge.Quantize.Calibration;

/// <summary>How a tensor's float range is chosen from its calibration statistics.</summary>
public enum CalibrationMethod
{
    /// <summary>The observed minimum and maximum: nothing is clipped, outliers cost resolution.</summary>
    MinMax,

    /// <summary>Clip |x| at a percentile of the calibration values.</summary>
    Percentile,

    /// <summary>Clip |x| where the quantized distribution loses least information (TensorRT's KL-divergence calibration).</summary>
    Entropy,
}
