using System.Security.Cryptography.X509Certificates;

namespace Edge.Server.Hosting.Security;

/// <summary>
/// Who may use what (docs/http.md, security): with a <see cref="Token"/>, every endpoint marked
/// <see cref="Access.Control"/> wants it, and so does every <see cref="Access.View"/> endpoint unless
/// <see cref="ViewPublic"/>; without one the server refuses to bind beyond loopback if it has such endpoints. Metrics
/// and health endpoints carry no mark and are always open, as is the view's page (<see cref="Access.Page"/>).
/// </summary>
public sealed record ServerSecurity
{
    /// <summary>The API token; null: none configured (only a loopback bind is then allowed for marked endpoints).</summary>
    public ApiToken? Token { get; init; }

    /// <summary>The live view without the token (control stays protected).</summary>
    public bool ViewPublic { get; init; }

    /// <summary>Serve HTTPS with this certificate instead of plain HTTP.</summary>
    public X509Certificate2? Certificate { get; init; }
}

/// <summary>What an endpoint gives access to, and so what a client must show.</summary>
public enum Access
{
    /// <summary>Changes the run or reads its control state: always needs the token when one is configured.</summary>
    Control,

    /// <summary>
    /// The live view's data (its streams, video, snapshots): needs the token unless the view is public; a browser
    /// may bring it as the view cookie, or in <c>?access_token=</c> where it cannot set a header (a WebSocket).
    /// </summary>
    View,

    /// <summary>
    /// The live view's page (HTML, script, style): open, since it holds no data; opened with <c>?token=</c> it sets
    /// the view cookie that the view's data and the control API then accept.
    /// </summary>
    Page,
}

/// <summary>Endpoint metadata: the endpoint needs <see cref="Kind"/> access (read by <see cref="AccessGate"/>).</summary>
public sealed record AccessRequirement(Access Kind);
