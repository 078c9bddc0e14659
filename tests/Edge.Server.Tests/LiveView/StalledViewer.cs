using System.Net.Sockets;
using System.Net.WebSockets;

namespace Edge.Server.Tests.LiveView;

/// <summary>
/// A WebSocket viewer that connects and then never reads, over a socket with a tiny receive buffer, so the server's
/// sends to it block after a few frames: a browser tab frozen in the background, or a client on a dead link.
/// </summary>
internal sealed class StalledViewer : IDisposable
{
    private readonly ClientWebSocket socket;
    private readonly HttpMessageInvoker invoker;

    private StalledViewer(ClientWebSocket socket, HttpMessageInvoker invoker)
    {
        this.socket = socket;
        this.invoker = invoker;
    }

    public static async Task<StalledViewer> Connect(Uri uri)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancellationToken) =>
            {
                var raw = new Socket(SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
                await raw.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new NetworkStream(raw, ownsSocket: true);
            },
        };
        var invoker = new HttpMessageInvoker(handler);
        var socket = new ClientWebSocket();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await socket.ConnectAsync(uri, invoker, timeout.Token);
        return new StalledViewer(socket, invoker);
    }

    public void Dispose()
    {
        socket.Abort();
        socket.Dispose();
        invoker.Dispose();
    }
}
