using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Edge.Server.Hosting.Security;

/// <summary>
/// The TLS certificate Kestrel serves (<c>http_certificate</c>): a PEM certificate with its key (in the same file or
/// in <c>http_certificate_key_file</c>), or a PKCS#12 (PFX) file. A password, for an encrypted PEM key or a PFX, comes
/// from <c>http_certificate_password_file</c>, never from a setting's value.
/// </summary>
public static class ServerCertificate
{
    /// <exception cref="ServerConfigurationException">A file is missing or unreadable, the password is wrong, or the certificate has no private key.</exception>
    public static X509Certificate2 Load(string certificateFile, string? keyFile = null, string? passwordFile = null)
    {
        var password = passwordFile is null ? null : ReadSecret(passwordFile, "http_certificate_password_file");
        X509Certificate2 certificate;
        try
        {
            certificate = IsPem(certificateFile)
                ? password is null
                    ? X509Certificate2.CreateFromPemFile(certificateFile, keyFile)
                    : X509Certificate2.CreateFromEncryptedPemFile(certificateFile, password, keyFile)
                : X509CertificateLoader.LoadPkcs12FromFile(certificateFile, password);
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            var key = keyFile is null ? "" : $" with key '{keyFile}'";
            throw new ServerConfigurationException($"http_certificate '{certificateFile}'{key} cannot be loaded ({OneLine(e)}): expected a PEM certificate and its private key (key in the same file or http_certificate_key_file), or a PKCS#12 file (password in http_certificate_password_file)", e);
        }

        if (!certificate.HasPrivateKey)
        {
            certificate.Dispose();
            throw new ServerConfigurationException($"http_certificate '{certificateFile}' has no private key: expected its key in the same file, in http_certificate_key_file, or a PKCS#12 file that holds it");
        }

        return certificate;
    }

    private static bool IsPem(string file)
    {
        try
        {
            using var stream = File.OpenRead(file);
            Span<byte> start = stackalloc byte[64];
            var read = stream.ReadAtLeast(start, start.Length, throwOnEndOfStream: false);
            return start[..read].IndexOf("-----BEGIN "u8) >= 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new ServerConfigurationException($"http_certificate '{file}' cannot be read ({OneLine(e)}): expected a PEM or PKCS#12 certificate file readable by this user", e);
        }
    }

    private static string ReadSecret(string file, string setting)
    {
        try
        {
            return File.ReadAllText(file).TrimEnd('\r', '\n');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new ServerConfigurationException($"{setting} '{file}' cannot be read ({OneLine(e)}): expected a file holding the password, readable by this user", e);
        }
    }

    private static string OneLine(Exception e) => $"{e.GetType().Name}: {e.Message.ReplaceLineEndings(" ").Trim()}";
}
