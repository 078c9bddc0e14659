using Edge.Runtime.Options;

namespace Edge.Runtime.Control;

/// <summary>What kind of refusal a <see cref="ControlException"/> is (an HTTP API maps them to 404, 400, 409 and 503).</summary>
public enum ControlErrorKind
{
    /// <summary>No such stream, head or label.</summary>
    NotFound,

    /// <summary>A value out of its range or of the wrong form, checked like the config file checks it.</summary>
    Invalid,

    /// <summary>Valid, but not now or not here: the run's state or its config file cannot take it.</summary>
    Conflict,

    /// <summary>The pipeline cannot do it at the moment: it has stopped, or a camera cannot be opened.</summary>
    Unavailable,
}

/// <summary>A control request refused: <see cref="Exception.Message"/> is one line naming what was wrong and what was expected. Nothing was changed.</summary>
public sealed class ControlException : Exception
{
    public ControlException(ControlErrorKind kind, string message, Exception? inner = null)
        : base(message, inner)
    {
        Kind = kind;
    }

    public ControlErrorKind Kind { get; }

    /// <summary>A setting out of its range, as the config file would report it, naming the stream it was meant for.</summary>
    internal static ControlException Invalid(string stream, SettingException setting) =>
        new(ControlErrorKind.Invalid, $"stream '{stream}': {setting.Message}", setting);
}
