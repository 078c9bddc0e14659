using System.Net.Sockets;
using System.Net.WebSockets;

namespace Edge.Tools.Benchmarking.Viewers;

/// <summary>
/// The viewers of one window: WebSocket clients of the live view, each reading and counting frames, and (when there are
/// any) one that connects and never reads, over a socket with a tiny receive buffer, so the server's sends to it block
/// after a few frames, as with a frozen browser tab or a dead link.
/// </summary>
internal sealed class ViewerClients : IAsyncDisposable
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);

    private readonly List<(ClientWebSocket Socket, HttpMessageInvoker? Invoker)> sockets = [];
    private readonly List<Task> readers = [];
    private readonly CancellationTokenSource stop = new();
    private long frames;
    private int readersWithAFrame;

    private ViewerClients()
    {
    }

    /// <summary>Frames (JPEGs) the reading viewers received, together.</summary>
    public long Frames => Interlocked.Read(ref frames);

    public int Readers => readers.Count;

    /// <summary>Whether every reading viewer has had its first frame (the view is sending to all of them).</summary>
    public bool AllReceiving => Volatile.Read(ref readersWithAFrame) == readers.Count;

    /// <summary>Connects <paramref name="count"/> viewers to <paramref name="uri"/>, the first of them stalled.</summary>
    public static async Task<ViewerClients> Connect(Uri uri, int count)
    {
        var clients = new ViewerClients();
        try
        {
            for (var i = 0; i < count; i++)
            {
                await clients.Add(uri, stalled: i == 0);
            }

            return clients;
        }
        catch
        {
            await clients.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        foreach (var (socket, invoker) in sockets)
        {
            socket.Abort();
            socket.Dispose();
            invoker?.Dispose();
        }

        foreach (var reader in readers)
        {
            try
            {
                await reader;
            }
            catch (Exception e) when (e is OperationCanceledException or WebSocketException or ObjectDisposedException)
            {
                // Aborted on purpose.
            }
        }

        stop.Dispose();
    }

    private async Task Add(Uri uri, bool stalled)
    {
        var socket = new ClientWebSocket();
        HttpMessageInvoker? invoker = stalled ? new HttpMessageInvoker(new SocketsHttpHandler { ConnectCallback = TinyReceiveBuffer }) : null;
        sockets.Add((socket, invoker));
        using var timeout = new CancellationTokenSource(ConnectTimeout);
        await socket.ConnectAsync(uri, invoker, timeout.Token);
        if (!stalled)
        {
            readers.Add(Read(socket));
        }
    }

    private async Task Read(ClientWebSocket socket)
    {
        var buffer = new byte[256 * 1024];
        var first = true;
        while (!stop.IsCancellationRequested)
        {
            var result = await socket.ReceiveAsync(buffer, stop.Token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return;
            }

            if (result.MessageType == WebSocketMessageType.Binary && result.EndOfMessage)
            {
                Interlocked.Increment(ref frames);
                if (first)
                {
                    first = false;
                    Interlocked.Increment(ref readersWithAFrame);
                }
            }
        }
    }

    private static async ValueTask<Stream> TinyReceiveBuffer(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
        try
        {
            await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
