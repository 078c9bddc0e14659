using System.Globalization;
using System.Net;
using System.Net.Sockets;
namespace Edge.Server.Hosting;

/// <summary>
/// Turns a <c>HOST:PORT</c> endpoint (IPv6 in brackets) into the address to bind; errors name the setting it came
/// from (<c>metrics</c>, <c>http</c>).
/// </summary>
internal static class ServerEndpoint
{
    private const string Example = "expected HOST:PORT such as 127.0.0.1:9108 ([::1]:9108 for IPv6, 0.0.0.0 for every interface)";

    public static IPEndPoint Resolve(string endpoint, string setting = "metrics")
    {
        var (host, port) = Split(endpoint, setting);
        return new IPEndPoint(ResolveHost(host, setting), port);
    }

    /// <summary>Whether only this machine can reach <paramref name="address"/> (127.0.0.0/8, ::1, IPv4 loopback mapped to IPv6).</summary>
    public static bool IsLoopback(IPAddress address) => IPAddress.IsLoopback(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address);

    /// <summary>Whether serving both endpoints would bind the same port twice (the same address, or a wildcard and any address).</summary>
    public static bool Overlap(IPEndPoint first, IPEndPoint second) =>
        first.Port == second.Port && first.Port != 0
        && (first.Address.Equals(second.Address) || IsWildcard(first.Address) || IsWildcard(second.Address));

    private static bool IsWildcard(IPAddress address) => address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any);

    internal static (string Host, int Port) Split(string endpoint, string setting = "metrics")
    {
        if (string.IsNullOrWhiteSpace(endpoint))
        {
            throw new ServerConfigurationException($"{setting} endpoint is empty, {Example}");
        }

        var colon = endpoint.LastIndexOf(':');
        if (colon < 0)
        {
            throw new ServerConfigurationException($"{setting} endpoint '{endpoint}' has no port, {Example}");
        }

        var host = endpoint[..colon];
        var portText = endpoint[(colon + 1)..];
        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            host = host[1..^1];
        }
        else if (host.Contains(':', StringComparison.Ordinal))
        {
            throw new ServerConfigurationException($"{setting} endpoint '{endpoint}' is not HOST:PORT, expected an IPv6 host in brackets such as [::1]:9108");
        }

        if (host.Length == 0)
        {
            throw new ServerConfigurationException($"{setting} endpoint '{endpoint}' has no host, {Example}");
        }

        return (host, ParsePort(endpoint, portText, setting));
    }

    private static int ParsePort(string endpoint, string text, string setting)
    {
        var digits = text.StartsWith('-') ? text.AsSpan(1) : text.AsSpan();
        if (digits.Length == 0 || digits.IndexOfAnyExceptInRange('0', '9') >= 0)
        {
            throw new ServerConfigurationException($"{setting} endpoint '{endpoint}' has port '{text}', {Example}");
        }

        // Digit strings too long for an int are out of range as much as 65536 is.
        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var port) || port is < IPEndPoint.MinPort or > IPEndPoint.MaxPort)
        {
            throw new ServerConfigurationException($"{setting} port {text} is out of range, expected 1-65535 (0 picks a free port)");
        }

        return port;
    }

    private static IPAddress ResolveHost(string host, string setting)
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
            throw new ServerConfigurationException($"{setting} host '{host}' is not resolvable ({e.Message}), expected an IP address or a resolvable host name", e);
        }

        // The default endpoint is IPv4 loopback; prefer IPv4 so that "localhost" means the same.
        return Array.Find(addresses, a => a.AddressFamily == AddressFamily.InterNetwork)
            ?? (addresses.Length > 0 ? addresses[0] : throw new ServerConfigurationException($"{setting} host '{host}' resolved to no address, expected an IP address or a resolvable host name"));
    }
}
