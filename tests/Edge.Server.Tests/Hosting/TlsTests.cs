using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Edge.Server.Hosting;
using Edge.Server.Hosting.Security;

namespace Edge.Server.Tests.Hosting;

/// <summary>HTTPS through Kestrel with a self-signed certificate made here, as PEM (key apart or together) and PKCS#12.</summary>
public sealed class TlsTests : IDisposable
{
    private const string Token = "0123456789abcdef-the-tls-token";

    private readonly TemporaryFolder folder = new();
    private readonly X509Certificate2 made = SelfSigned();

    public void Dispose()
    {
        made.Dispose();
        folder.Dispose();
    }

    [Fact]
    public async Task PemCertificateAndKey_ServesHttpsAndTheTokenWorksOverIt()
    {
        var (certificate, key) = WritePem(together: false);

        var (status, served) = await GetOverHttps(ServerCertificate.Load(certificate, key));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(made.Thumbprint, served);
    }

    [Fact]
    public async Task PemWithKeyInTheSameFile_ServesHttps()
    {
        var (certificate, _) = WritePem(together: true);

        var (status, served) = await GetOverHttps(ServerCertificate.Load(certificate));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(made.Thumbprint, served);
    }

    [Fact]
    public async Task Pkcs12WithPasswordFile_ServesHttps()
    {
        var pfx = Path.Combine(folder.Path, "server.pfx");
        var passwordFile = Path.Combine(folder.Path, "password");
        File.WriteAllBytes(pfx, made.Export(X509ContentType.Pkcs12, "pfx-password"));
        File.WriteAllText(passwordFile, "pfx-password\n");

        var (status, served) = await GetOverHttps(ServerCertificate.Load(pfx, passwordFile: passwordFile));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(made.Thumbprint, served);
    }

    [Fact]
    public void Pkcs12WithWrongPassword_OneLineError()
    {
        var pfx = Path.Combine(folder.Path, "server.pfx");
        var passwordFile = Path.Combine(folder.Path, "password");
        File.WriteAllBytes(pfx, made.Export(X509ContentType.Pkcs12, "pfx-password"));
        File.WriteAllText(passwordFile, "wrong");

        var error = Assert.Throws<ServerConfigurationException>(() => ServerCertificate.Load(pfx, passwordFile: passwordFile));

        Assert.StartsWith($"http_certificate '{pfx}' cannot be loaded (", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void PemWithoutKey_SaysTheKeyIsMissing()
    {
        var certificate = Path.Combine(folder.Path, "server.crt");
        File.WriteAllText(certificate, made.ExportCertificatePem());

        var error = Assert.Throws<ServerConfigurationException>(() => ServerCertificate.Load(certificate));

        Assert.StartsWith($"http_certificate '{certificate}' cannot be loaded (", error.Message, StringComparison.Ordinal);
        Assert.Contains("expected a PEM certificate and its private key", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingCertificate_NamesTheSetting()
    {
        var absent = Path.Combine(folder.Path, "absent.pem");

        var error = Assert.Throws<ServerConfigurationException>(() => ServerCertificate.Load(absent));

        Assert.StartsWith($"http_certificate '{absent}' cannot be read (FileNotFoundException", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingPasswordFile_NamesTheSetting()
    {
        var (certificate, key) = WritePem(together: false);
        var absent = Path.Combine(folder.Path, "absent");

        var error = Assert.Throws<ServerConfigurationException>(() => ServerCertificate.Load(certificate, key, absent));

        Assert.StartsWith($"http_certificate_password_file '{absent}' cannot be read", error.Message, StringComparison.Ordinal);
    }

    private static X509Certificate2 SelfSigned()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=edge test", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        var now = DateTimeOffset.UtcNow;
        return request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1));
    }

    private (string Certificate, string Key) WritePem(bool together)
    {
        var certificate = Path.Combine(folder.Path, "server.crt");
        var key = Path.Combine(folder.Path, "server.key");
        var keyPem = made.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem();
        File.WriteAllText(certificate, made.ExportCertificatePem() + "\n" + (together ? keyPem : ""));
        File.WriteAllText(key, keyPem);
        return (certificate, key);
    }

    /// <summary>Serves over HTTPS with <paramref name="certificate"/>; the client trusts exactly the made certificate and reports the one it saw.</summary>
    private async Task<(HttpStatusCode Status, string? Served)> GetOverHttps(X509Certificate2 certificate)
    {
        using var server = new EdgeServer(new GuardedRoutes()) { Setting = "http", Security = new ServerSecurity { Token = ApiToken.Parse(Token, "test"), Certificate = certificate } };
        server.Start("127.0.0.1:0");
        string? served = null;
        using var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, presented, _, _) =>
            {
                served = presented?.Thumbprint;
                return presented?.Thumbprint == made.Thumbprint;
            },
        };
        using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(10) };
        using var request = new HttpRequestMessage(HttpMethod.Get, $"https://127.0.0.1:{server.LocalEndpoint!.Port}/guarded/control");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        using var response = await client.SendAsync(request);
        return (response.StatusCode, served);
    }
}
