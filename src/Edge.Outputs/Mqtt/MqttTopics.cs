using System.Globalization;
using System.Text;

namespace Edge.Outputs.Mqtt;

/// <summary>
/// Names that go into MQTT topics (device, labels, prefixes), checked at start. '/', '+', '#' and control characters
/// (NUL included) would change a topic's shape, make it illegal or make the broker drop the connection, so they are
/// refused; anything outside printable ASCII is percent-encoded (UTF-8), and '%' itself, so every name keeps its own topic.
/// </summary>
internal static class MqttTopics
{
    private const string OneLevel = "expected a name for one MQTT topic level: any characters but '/', '+', '#' and control characters (non-ASCII is sent percent-encoded)";

    /// <summary>One topic level named by setting <paramref name="key"/>, escaped.</summary>
    public static string Segment(string key, string name) => Checked($"setting '{key}'", name, OneLevel);

    /// <summary>A model label as one topic level, escaped.</summary>
    public static string Label(string name) => Checked("the model's label", name, OneLevel + "; rename it in the bundle manifest");

    /// <summary>A topic prefix of one or more levels (a trailing '/' is dropped), each level escaped.</summary>
    public static string Prefix(string key, string prefix)
    {
        const string Levels = "expected one or more topic levels separated by '/', none empty, without '+', '#', control characters or a leading '$'";
        var trimmed = prefix.TrimEnd('/');
        if (string.IsNullOrWhiteSpace(trimmed) || trimmed.StartsWith('$'))
        {
            throw new MqttConfigurationException($"setting '{key}' is '{Shown(prefix)}': {Levels}");
        }

        var levels = trimmed.Split('/');
        for (var i = 0; i < levels.Length; i++)
        {
            levels[i] = levels[i].Length == 0
                ? throw new MqttConfigurationException($"setting '{key}' is '{Shown(prefix)}': {Levels}")
                : Checked($"setting '{key}'", levels[i], Levels, shown: prefix);
        }

        return string.Join('/', levels);
    }

    private static string Checked(string subject, string name, string allowed, string? shown = null)
    {
        var escaped = new StringBuilder(name.Length);
        Span<byte> utf8 = stackalloc byte[4];
        foreach (var rune in name.EnumerateRunes())
        {
            if (rune.Value is '/' or '+' or '#' || Rune.IsControl(rune))
            {
                escaped = null;
                break;
            }

            if (rune.Value is >= 0x20 and < 0x7F and not '%')
            {
                escaped.Append((char)rune.Value);
                continue;
            }

            foreach (var b in utf8[..rune.EncodeToUtf8(utf8)])
            {
                escaped.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        if (escaped is null || name.Length == 0)
        {
            throw new MqttConfigurationException($"{subject} is '{Shown(shown ?? name)}': {allowed}");
        }

        return escaped.ToString();
    }

    /// <summary>The name as it can be printed on one line: control characters as \uXXXX.</summary>
    private static string Shown(string name)
    {
        var shown = new StringBuilder(name.Length);
        foreach (var c in name)
        {
            if (char.IsControl(c))
            {
                shown.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}");
            }
            else
            {
                shown.Append(c);
            }
        }

        return shown.ToString();
    }
}
