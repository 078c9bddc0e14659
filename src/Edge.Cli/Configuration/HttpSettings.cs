namespace Edge.Cli.Configuration;

/// <summary>
/// The <c>http</c> setting and its companions (docs/http.md): where to serve, where the API token and the TLS
/// certificate's secrets are read from (paths only: a secret is never a setting's value), and whether the live view
/// is open without the token.
/// </summary>
public sealed record HttpSettings(string Endpoint, string? TokenFile, bool ViewPublic, string? Certificate, string? CertificateKeyFile, string? CertificatePasswordFile);
