using System.Net;
using Edge.Server.Hosting;

namespace Edge.Server.Tests.Hosting;

public sealed class ServerEndpointTests
{
    [Theory]
    [InlineData("127.0.0.1:9108", "127.0.0.1", 9108)]
    [InlineData("0.0.0.0:80", "0.0.0.0", 80)]
    [InlineData("[::1]:9108", "::1", 9108)]
    [InlineData("127.0.0.1:0", "127.0.0.1", 0)]
    [InlineData("localhost:9108", "127.0.0.1", 9108)]
    public void Resolve_ValidEndpoint_GivesAddressAndPort(string endpoint, string address, int port) =>
        Assert.Equal(new IPEndPoint(IPAddress.Parse(address), port), ServerEndpoint.Resolve(endpoint));

    [Theory]
    [InlineData("", "metrics endpoint is empty, expected HOST:PORT")]
    [InlineData("   ", "metrics endpoint is empty, expected HOST:PORT")]
    [InlineData("9108", "metrics endpoint '9108' has no port, expected HOST:PORT")]
    [InlineData("127.0.0.1", "metrics endpoint '127.0.0.1' has no port, expected HOST:PORT")]
    [InlineData(":9108", "metrics endpoint ':9108' has no host, expected HOST:PORT")]
    [InlineData("127.0.0.1:", "metrics endpoint '127.0.0.1:' has port '', expected HOST:PORT")]
    [InlineData("127.0.0.1:http", "metrics endpoint '127.0.0.1:http' has port 'http', expected HOST:PORT")]
    [InlineData("127.0.0.1:91 08", "metrics endpoint '127.0.0.1:91 08' has port '91 08', expected HOST:PORT")]
    [InlineData("::1:9108", "metrics endpoint '::1:9108' is not HOST:PORT, expected an IPv6 host in brackets such as [::1]:9108")]
    [InlineData("127.0.0.1:65536", "metrics port 65536 is out of range, expected 1-65535 (0 picks a free port)")]
    [InlineData("127.0.0.1:-1", "metrics port -1 is out of range, expected 1-65535 (0 picks a free port)")]
    [InlineData("127.0.0.1:99999999999", "metrics port 99999999999 is out of range, expected 1-65535 (0 picks a free port)")]
    [InlineData("no-such-host.invalid:9108", "metrics host 'no-such-host.invalid' is not resolvable")]
    public void Resolve_BadEndpoint_ThrowsOneLineNamingWhatAndExpected(string endpoint, string expectedStart)
    {
        var error = Assert.Throws<ServerConfigurationException>(() => ServerEndpoint.Resolve(endpoint));

        Assert.StartsWith(expectedStart, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
        Assert.Contains("expected", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_NamesTheSettingItCameFrom()
    {
        var error = Assert.Throws<ServerConfigurationException>(() => ServerEndpoint.Resolve("127.0.0.1", "http"));

        Assert.StartsWith("http endpoint '127.0.0.1' has no port", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("127.8.9.10", true)]
    [InlineData("::1", true)]
    [InlineData("::ffff:127.0.0.1", true)]
    [InlineData("0.0.0.0", false)]
    [InlineData("::", false)]
    [InlineData("192.168.1.20", false)]
    public void IsLoopback_OnlyForAddressesOfThisMachineAlone(string address, bool loopback) =>
        Assert.Equal(loopback, ServerEndpoint.IsLoopback(IPAddress.Parse(address)));

    [Theory]
    [InlineData("127.0.0.1:9108", "127.0.0.1:9108", true)]
    [InlineData("0.0.0.0:9108", "127.0.0.1:9108", true)]
    [InlineData("127.0.0.1:9108", "[::]:9108", true)]
    [InlineData("127.0.0.1:9108", "127.0.0.1:8080", false)]
    [InlineData("127.0.0.1:9108", "[::1]:9108", false)]
    [InlineData("127.0.0.1:0", "127.0.0.1:0", false)]
    public void Overlap_WhenBothWouldBindTheSamePort(string first, string second, bool overlap) =>
        Assert.Equal(overlap, ServerEndpoint.Overlap(ServerEndpoint.Resolve(first), ServerEndpoint.Resolve(second)));
}
