namespace Edge.Runtime.Bundles;

/// <summary>The model's batch axis: dynamic up to <paramref name="Max"/> frames, or fixed.</summary>
public sealed record BatchAxis(bool Dynamic, int Max);
