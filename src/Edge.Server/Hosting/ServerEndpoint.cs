using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Edge.Outputs.Metrics;

namespace Edge.Server.Hosting;

/// <summary>Turns a <c>HOST:PORT</c> endpoint (IPv6 in brackets) into the address to bind.</summary>
internal static class ServerEndpoint
{
    private const string Example = "expected HOST:PORT such as 127.0.0.1:9108 ([::1]:9108 for IPv6, 0.0.0.0 for every interface)";

    public static IPEndPoint Resolve(string endpoint)
    {
        var (host, port) = Split(endpoint);
        return new IPEndPoint(ResolveHost(host), port);
    }

    internal static (string Host, int Port) Split(string endpoint)
    {
        if (string.IsNullOrWhiteSpace(endpoint))
        {
            throw new MetricsConfigurationException($"metrics endpoint is empty, {Example}");
        }

        var colon = endpoint.LastIndexOf(':');
        if (colon < 0)
        {
            throw new MetricsConfigurationException($"metrics endpoint '{endpoint}' has no port, {Example}");
        }

        var host = endpoint[..colon];
        var portText = endpoint[(colon + 1)..];
        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            host = host[1..^1];
        }
        else if (host.Contains(':', StringComparison.Ordinal))
        {
            throw new MetricsConfigurationException($"metrics endpoint '{endpoint}' is not HOST:PORT, expected an IPv6 host in brackets such as [::1]:9108");
        }

        if (host.Length == 0)
        {
            throw new MetricsConfigurationException($"metrics endpoint '{endpoint}' has no host, {Example}");
        }

        return (host, ParsePort(endpoint, portText));
    }

    private static int ParsePort(string endpoint, string text)
    {
        var digits = text.StartsWith('-') ? text.AsSpan(1) : text.AsSpan();
        if (digits.Length == 0 || digits.IndexOfAnyExceptInRange('0', '9') >= 0)
        {
            throw new MetricsConfigurationException($"metrics endpoint '{endpoint}' has port '{text}', {Example}");
        }

        // Digit strings too long for an int are out of range as much as 65536 is.
        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var port) || port is < IPEndPoint.MinPort or > IPEndPoint.MaxPort)
        {
            throw new MetricsConfigurationException($"metrics port {text} is out of range, expected 1-65535 (0 picks a free port)");
        }

        return port;
    }

    private static IPAddress ResolveHost(string host)
    {
        if (IPAddress.TryParse(host, out var address))
        {
            return address;
        }

        IPAddress[] addresses;
        try
        {
            addresses = Dns.GetHostAddresses(host);
        }
        catch (Exception e) when (e is SocketException or ArgumentException)
        {
            throw new MetricsConfigurationException($"metrics host '{host}' is not resolvable ({e.Message}), expected an IP address or a resolvable host name", e);
        }

        // The default endpoint is IPv4 loopback; prefer IPv4 so that "localhost" means the same.
        return Array.Find(addresses, a => a.AddressFamily == AddressFamily.InterNetwork)
            ?? (addresses.Length > 0 ? addresses[0] : throw new MetricsConfigurationException($"metrics host '{host}' resolved to no address, expected an IP address or a resolvable host name"));
    }
}
