namespace Edge.Outputs.Mqtt;

/// <summary>A broker address from <c>mqtt://[user@]host[:port]</c> or <c>mqtts://…</c> (TLS). Passwords never go in it.</summary>
public sealed record MqttEndpoint(string Host, int Port, bool Tls, string? Username)
{
    private const string Expected = "expected mqtt://[user@]host[:port] or mqtts://[user@]host[:port]";

    public static MqttEndpoint Parse(string text)
    {
        // Before Uri parses anything: a password containing '@' or '/' would otherwise split the URI in the wrong place.
        if (UserInfo(text) is { } userInfo && Uri.UnescapeDataString(userInfo).Contains(':', StringComparison.Ordinal))
        {
            throw new MqttConfigurationException($"--mqtt '{Redacted(text)}' contains a password: put it in EDGE_MQTT_PASSWORD or a file named by mqtt.password_file, never in the URI");
        }

        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("mqtt" or "mqtts") || string.IsNullOrEmpty(uri.Host))
        {
            throw new MqttConfigurationException($"--mqtt '{Redacted(text)}' is invalid: {Expected}");
        }

        if (uri.AbsolutePath is not ("" or "/") || uri.Query.Length > 0)
        {
            throw new MqttConfigurationException($"--mqtt '{Redacted(text)}' has a path or query: expected mqtt://[user@]host[:port]");
        }

        var tls = uri.Scheme == "mqtts";
        var port = uri.IsDefaultPort || uri.Port <= 0 ? (tls ? 8883 : 1883) : uri.Port;
        return new MqttEndpoint(uri.Host, port, tls, uri.UserInfo.Length == 0 ? null : Uri.UnescapeDataString(uri.UserInfo));
    }

    /// <summary>The address as logs print it: the user name at most, never anything secret.</summary>
    public override string ToString() => $"{(Tls ? "mqtts" : "mqtt")}://{(Username is null ? "" : Username + "@")}{Host}:{Port}";

    /// <summary>Everything between "://" and the last '@' (a password may itself contain '@', '/' or '?'), or null.</summary>
    private static string? UserInfo(string text)
    {
        var scheme = text.IndexOf("://", StringComparison.Ordinal);
        var at = text.LastIndexOf('@');
        return scheme < 0 || at < scheme + 3 ? null : text[(scheme + 3)..at];
    }

    /// <summary>The text with everything after the user name up to the last '@' masked, in any encoding, for messages.</summary>
    private static string Redacted(string text)
    {
        if (UserInfo(text) is not { } userInfo)
        {
            return text;
        }

        var scheme = text.IndexOf("://", StringComparison.Ordinal);
        var decoded = Uri.UnescapeDataString(userInfo);
        var colon = decoded.IndexOf(':', StringComparison.Ordinal);
        var user = colon < 0 ? decoded : decoded[..colon] + ":***";
        return text[..(scheme + 3)] + user + text[text.LastIndexOf('@')..];
    }
}

/// <summary>MQTT settings that cannot work: the message names the setting and what was expected.</summary>
public sealed class MqttConfigurationException(string message) : Exception(message);
