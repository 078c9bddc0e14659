namespace Edge.Runtime.Bundles;

public enum TensorLayout
{
    Nchw,
    Nhwc,
}

public enum ColorOrder
{
    Bgr,
    Rgb,
}

public enum ResizePolicy
{
    Stretch,
    CenterCrop,
    Letterbox,
}

public enum OutputKind
{
    Logits,
    Probabilities,
}
