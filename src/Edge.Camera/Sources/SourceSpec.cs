using System.Globalization;

namespace Edge.Camera.Sources;

/// <summary>
/// A parsed source string: <c>scheme:target?key=value&amp;key=value</c>. <c>rtsp://</c> URLs and <c>gst:</c>
/// pipelines are taken whole, since their own syntax uses '?', '=' and '!'.
/// </summary>
public sealed class SourceSpec
{
    public static readonly IReadOnlyList<string> Schemes = ["v4l2:", "file:", "rtsp://", "gst:", "csi:", "usb-gst:", "images:", "synthetic"];

    private readonly Dictionary<string, string> options;
    private readonly HashSet<string> used = new(StringComparer.OrdinalIgnoreCase);

    private SourceSpec(string text, string scheme, string target, Dictionary<string, string> options)
    {
        Text = text;
        Scheme = scheme;
        Target = target;
        this.options = options;
    }

    /// <summary>The source string as the user wrote it.</summary>
    public string Text { get; }

    /// <summary>Lower-case scheme without the colon: v4l2, file, rtsp (also rtsps), gst, csi, usb-gst, images,
    /// synthetic.</summary>
    public string Scheme { get; }

    public string Target { get; }

    public static SourceSpec Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (UserPath.HasNul(text))
        {
            throw new FrameSourceException($"source '{UserPath.Printable(MaskCredentials(text))}' holds a NUL byte: expected a source such as file:clip.mp4 or images:DIR whose path has none");
        }

        var trimmed = text.Trim();
        if (trimmed.StartsWith("rtsp://", StringComparison.OrdinalIgnoreCase) || trimmed.StartsWith("rtsps://", StringComparison.OrdinalIgnoreCase))
        {
            return new SourceSpec(text, "rtsp", trimmed, NoOptions());
        }

        if (trimmed.StartsWith("gst:", StringComparison.OrdinalIgnoreCase))
        {
            var pipeline = trimmed[4..].Trim();
            if (pipeline.Length == 0)
            {
                throw new FrameSourceException("source 'gst:' has no pipeline: expected gst:<GStreamer pipeline ending in appsink>");
            }

            return new SourceSpec(text, "gst", pipeline, NoOptions());
        }

        var colon = trimmed.IndexOf(':');
        var question = trimmed.IndexOf('?');
        string scheme;
        string rest;
        if (colon > 0 && (question < 0 || colon < question))
        {
            scheme = trimmed[..colon].ToLowerInvariant();
            rest = trimmed[(colon + 1)..];
        }
        else
        {
            scheme = (question < 0 ? trimmed : trimmed[..question]).ToLowerInvariant();
            rest = question < 0 ? string.Empty : trimmed[question..];
        }

        if (scheme is not ("v4l2" or "file" or "images" or "synthetic" or "csi" or "usb-gst"))
        {
            throw new FrameSourceException(
                $"unknown source '{text}': expected one of {string.Join(", ", Schemes)} (for example v4l2:0, file:video.mp4, synthetic)");
        }

        var query = rest.IndexOf('?');
        var target = query < 0 ? rest : rest[..query];
        var parsed = query < 0 ? NoOptions() : ParseOptions(text, rest[(query + 1)..]);
        if (scheme is not "synthetic" && target.Length == 0)
        {
            throw new FrameSourceException($"source '{text}' names no {MissingTarget(scheme)}");
        }

        return new SourceSpec(text, scheme, target, parsed);
    }

    /// <summary>The source string with a URL's password masked, for every log line, event and message.</summary>
    public static string MaskCredentials(string sourceText)
    {
        ArgumentNullException.ThrowIfNull(sourceText);
        var schemeEnd = sourceText.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd < 0)
        {
            return sourceText;
        }

        var authorityStart = schemeEnd + 3;
        var authorityEnd = sourceText.IndexOf('/', authorityStart);
        var at = sourceText.LastIndexOf('@', authorityEnd < 0 ? sourceText.Length - 1 : authorityEnd - 1);
        if (at < authorityStart)
        {
            return sourceText;
        }

        var colon = sourceText.IndexOf(':', authorityStart, at - authorityStart);
        return colon < 0 ? sourceText : string.Concat(sourceText.AsSpan(0, colon + 1), "***", sourceText.AsSpan(at));
    }

    public string? GetString(string key)
    {
        used.Add(key);
        return options.TryGetValue(key, out var value) ? value : null;
    }

    public int GetInt(string key, int fallback, int min, int max)
    {
        var text = GetString(key);
        if (text is null)
        {
            return fallback;
        }

        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            throw new FrameSourceException($"source option '{key}={text}' in '{Text}' is invalid: expected an integer from {min} to {max}");
        }

        return value;
    }

    public double GetDouble(string key, double fallback, double min, double max)
    {
        var text = GetString(key);
        if (text is null)
        {
            return fallback;
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !(value >= min && value <= max))
        {
            throw new FrameSourceException($"source option '{key}={text}' in '{Text}' is invalid: expected a number from {min} to {max}");
        }

        return value;
    }

    public bool GetBool(string key, bool fallback)
    {
        var text = GetString(key);
        return text?.ToLowerInvariant() switch
        {
            null => fallback,
            "true" or "1" or "yes" or "" => true,
            "false" or "0" or "no" => false,
            _ => throw new FrameSourceException($"source option '{key}={text}' in '{Text}' is invalid: expected true or false"),
        };
    }

    /// <summary>The <c>handoff</c> option of offline sources: <c>lossless</c> or <c>latest</c>.</summary>
    public Frames.FrameHandoff GetHandoff(Frames.FrameHandoff fallback)
    {
        var text = GetString("handoff");
        return text?.ToLowerInvariant() switch
        {
            null => fallback,
            "lossless" => Frames.FrameHandoff.Lossless,
            "latest" => Frames.FrameHandoff.LatestWins,
            _ => throw new FrameSourceException($"source option 'handoff={text}' in '{Text}' is invalid: expected lossless or latest"),
        };
    }

    /// <summary>Refuses options that no getter asked for, so a misspelt option is not silently ignored.</summary>
    public void RejectUnknownOptions()
    {
        foreach (var key in options.Keys)
        {
            if (!used.Contains(key))
            {
                throw new FrameSourceException(
                    $"source option '{key}' is not known for {Scheme} sources: expected one of {string.Join(", ", used.Order(StringComparer.Ordinal))}");
            }
        }
    }

    private static string MissingTarget(string scheme) => scheme switch
    {
        "v4l2" or "usb-gst" => $"device: expected {scheme}:<index or /dev/videoN>",
        "csi" => "sensor id: expected csi:<N>, for example csi:0",
        _ => $"path: expected {scheme}:<path>",
    };

    private static Dictionary<string, string> NoOptions() => new(StringComparer.OrdinalIgnoreCase);

    private static Dictionary<string, string> ParseOptions(string text, string query)
    {
        var result = NoOptions();
        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=');
            var key = (equals < 0 ? pair : pair[..equals]).Trim();
            var value = equals < 0 ? string.Empty : Uri.UnescapeDataString(pair[(equals + 1)..]);
            if (key.Length == 0 || !result.TryAdd(key, value))
            {
                throw new FrameSourceException($"source '{text}' has an empty or repeated option '{key}': expected key=value pairs separated by '&'");
            }
        }

        return result;
    }
}
