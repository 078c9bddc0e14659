namespace Edge.Outputs.Gpio;

/// <summary>
/// The streams and inference heads of the run, which rules name: <see cref="GpioRule.Stream"/> must be one of
/// <paramref name="Streams"/>, <see cref="GpioRule.Model"/> the first of <paramref name="Heads"/> (whose labels the
/// rules are checked against). Without heads, a rule takes its stream's label sets whatever head made them.
/// </summary>
public sealed record GpioScope(IReadOnlyList<string> Streams, IReadOnlyList<string>? Heads = null);
