namespace Edge.Runtime.Publishing.Mqtt;

/// <summary>A broker address from <c>mqtt://[user@]host[:port]</c> or <c>mqtts://…</c> (TLS). Passwords never go in it.</summary>
public sealed record MqttEndpoint(string Host, int Port, bool Tls, string? Username)
{
    public static MqttEndpoint Parse(string text)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("mqtt" or "mqtts") || string.IsNullOrEmpty(uri.Host))
        {
            throw new MqttConfigurationException($"--mqtt '{Redacted(text)}' is invalid: expected mqtt://[user@]host[:port] or mqtts://[user@]host[:port]");
        }

        if (uri.UserInfo.Contains(':', StringComparison.Ordinal))
        {
            throw new MqttConfigurationException($"--mqtt '{Redacted(text)}' contains a password: put it in EDGE_MQTT_PASSWORD or a file named by mqtt.password_file, never in the URI");
        }

        if (uri.AbsolutePath is not ("" or "/") || uri.Query.Length > 0)
        {
            throw new MqttConfigurationException($"--mqtt '{Redacted(text)}' has a path or query: expected mqtt://[user@]host[:port]");
        }

        var tls = uri.Scheme == "mqtts";
        var port = uri.IsDefaultPort || uri.Port <= 0 ? (tls ? 8883 : 1883) : uri.Port;
        return new MqttEndpoint(uri.Host, port, tls, uri.UserInfo.Length == 0 ? null : Uri.UnescapeDataString(uri.UserInfo));
    }

    public override string ToString() => $"{(Tls ? "mqtts" : "mqtt")}://{(Username is null ? "" : Username + "@")}{Host}:{Port}";

    /// <summary>The text with anything after "user:" up to "@" masked, for messages.</summary>
    private static string Redacted(string text)
    {
        var at = text.IndexOf('@', StringComparison.Ordinal);
        var scheme = text.IndexOf("://", StringComparison.Ordinal);
        if (at < 0 || scheme < 0)
        {
            return text;
        }

        var colon = text.IndexOf(':', scheme + 3);
        return colon > 0 && colon < at ? text[..(colon + 1)] + "***" + text[at..] : text;
    }
}

/// <summary>MQTT settings that cannot work: the message names the setting and what was expected.</summary>
public sealed class MqttConfigurationException(string message) : Exception(message);
