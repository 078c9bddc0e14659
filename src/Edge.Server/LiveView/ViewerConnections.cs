using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Edge.Server.LiveView;

/// <summary>How a <see cref="LiveViewer"/>'s frames and events travel: over a WebSocket, or as an MJPEG response.</summary>
internal static class ViewerConnections
{
    /// <summary>The MJPEG part boundary.</summary>
    public const string Boundary = "edgeframe";

    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(2);
    private static readonly byte[] PartEnd = "\r\n"u8.ToArray();

    /// <summary>
    /// Accepts the upgrade, sends the stream's recent events, then per frame its <c>edge.view/1</c> JSON (text) and its
    /// JPEG (binary), and events as they come, until the viewer closes, the server stops or a send times out (the
    /// socket is then aborted). Whatever the page sends is read and ignored; a close is answered.
    /// </summary>
    public static async Task WebSocket(HttpContext context, LiveViewer viewer, IReadOnlyList<byte[]> backlog, TimeSpan sendTimeout, CancellationToken stop)
    {
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        using var sending = CancellationTokenSource.CreateLinkedTokenSource(stop);
        using var giveUpReceiving = new CancellationTokenSource();
        var receiving = ReceiveUntilClosed(socket, sending, giveUpReceiving.Token);
        foreach (var message in backlog)
        {
            viewer.Offer(message);
        }

        try
        {
            await viewer.RunAsync(
                async (frame, token) =>
                {
                    await socket.SendAsync(frame.Json, WebSocketMessageType.Text, endOfMessage: true, token);
                    await socket.SendAsync(frame.Jpeg, WebSocketMessageType.Binary, endOfMessage: true, token);
                },
                (message, token) => socket.SendAsync(message, WebSocketMessageType.Text, endOfMessage: true, token).AsTask(),
                sendTimeout,
                sending.Token);
        }
        catch (TimeoutException)
        {
            // It stopped reading: its connection goes, so it holds no slot and no buffers.
            socket.Abort();
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or IOException)
        {
            // It closed or went away, or the server stops: nothing more to send.
        }

        await Close(socket, stop.IsCancellationRequested ? WebSocketCloseStatus.EndpointUnavailable : WebSocketCloseStatus.NormalClosure);
        giveUpReceiving.CancelAfter(CloseTimeout);
        await receiving;
    }

    /// <summary>Sends each frame as one part of a <c>multipart/x-mixed-replace</c> response until the client goes or the server stops.</summary>
    public static async Task Mjpeg(HttpContext context, LiveViewer viewer, TimeSpan sendTimeout, CancellationToken stop)
    {
        var response = context.Response;
        response.StatusCode = 200;
        response.ContentType = $"multipart/x-mixed-replace; boundary={Boundary}";
        response.Headers.CacheControl = "no-cache, no-store";
        await response.StartAsync(stop);
        try
        {
            await viewer.RunAsync(
                async (frame, token) =>
                {
                    var head = string.Create(CultureInfo.InvariantCulture, $"--{Boundary}\r\nContent-Type: image/jpeg\r\nContent-Length: {frame.Jpeg.Length}\r\nX-Edge-Frame: {frame.Frame}\r\n\r\n");
                    await response.Body.WriteAsync(Encoding.ASCII.GetBytes(head), token);
                    await response.Body.WriteAsync(frame.Jpeg, token);
                    await response.Body.WriteAsync(PartEnd, token);
                    await response.Body.FlushAsync(token);
                },
                (_, _) => Task.CompletedTask,
                sendTimeout,
                stop);
        }
        catch (TimeoutException)
        {
            context.Abort();
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            // The client went away or the server stops: the response just ends.
        }
    }

    /// <summary>Reads (and ignores) what the page sends until it closes or the socket fails; then sending stops too.</summary>
    private static async Task ReceiveUntilClosed(WebSocket socket, CancellationTokenSource sending, CancellationToken giveUp)
    {
        var buffer = new byte[1024];
        try
        {
            while (true)
            {
                var result = await socket.ReceiveAsync(buffer, giveUp);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or IOException)
        {
            // Gone, or no close came in time after ours.
        }
        finally
        {
            await sending.CancelAsync();
        }
    }

    private static async Task Close(WebSocket socket, WebSocketCloseStatus status)
    {
        if (socket.State is not (WebSocketState.Open or WebSocketState.CloseReceived))
        {
            return;
        }

        using var timeout = new CancellationTokenSource(CloseTimeout);
        try
        {
            await socket.CloseOutputAsync(status, status == WebSocketCloseStatus.NormalClosure ? "bye" : "server stopping", timeout.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or IOException)
        {
            socket.Abort();
        }
    }
}
